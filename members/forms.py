"""Forms of the 履职 pages: they check shape only; members.services enforces the rules."""

from django import forms
from django.utils import timezone

from .models import DutyRecord
from .scoring import SELF_REPORTABLE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class DutyReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="活动类型",
        choices=[(k, DutyRecord.Kind(k).label) for k in SELF_REPORTABLE],
        initial=DutyRecord.Kind.CONSTITUENCY_CONTACT,
    )
    date = forms.DateField(
        label="活动日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写活动日期。", "invalid": "日期格式应为 年-月-日。"},
    )
    people = forms.IntegerField(
        label="联系群众人数", required=False, min_value=0, help_text="联系界别群众活动必填"
    )
    note = forms.CharField(
        label="活动说明",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写活动说明。"},
    )
    photos = MultipleFileField(
        label="活动照片", required=False, help_text="可选多张，jpg/png，每张不超过10MB"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()


class DutyReviewForm(forms.Form):
    """Bulk review on the staff page: the chosen pending records, confirm or decline (with a reason)."""

    ACTIONS = [("confirm", "确认"), ("decline", "不予确认")]

    records = forms.ModelMultipleChoiceField(
        queryset=DutyRecord.objects.filter(status=DutyRecord.Status.PENDING),
        error_messages={"required": "请至少选择一条记录。", "invalid_choice": "所选记录已审核或不存在。"},
    )
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(label="未确认原因", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "不予确认时请填写原因。")
        return data


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


class TermForm(forms.Form):
    """开启新一届 (or correct the current one's dates)."""

    number = forms.IntegerField(label="届次", min_value=1, help_text="如 15 表示第十五届")
    start_date = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PlenaryForm(forms.Form):
    """会次 of the current term with its opening and closing dates."""

    number = forms.IntegerField(label="会次", min_value=1, help_text="如 1 表示第一次会议")
    start_date = forms.DateField(label="开幕日期", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label="闭幕日期", widget=forms.DateInput(attrs={"type": "date"}))
