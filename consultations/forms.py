"""Page forms: they validate input; the services decide what is allowed."""

from django import forms
from django.utils import timezone

from members.models import Member, Plenary, SpecialCommittee
from members.widgets import MemberPickerWidget
from zhengxie.accounts.models import Department

from .models import (
    SESSION_TYPES,
    AgendaItem,
    Attendance,
    ConsultationType,
    LeaveRequest,
    ReportOpinion,
    ResearchActivity,
    Topic,
)
from .selectors import linkable_topics


class _Bootstrap(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _serving_members():
    return Member.objects.filter(status=Member.Status.SERVING).order_by("name", "id")


class PlanForm(_Bootstrap):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(
        label="标题", max_length=200, required=False, help_text="留空则为“某年度政协协商工作计划”"
    )


class ApproveForm(_Bootstrap):
    date = forms.DateField(
        label="党委批准日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class TopicForm(_Bootstrap):
    title = forms.CharField(label="议题", max_length=200)
    type = forms.ChoiceField(label="协商形式", choices=ConsultationType.choices)
    lead_committee = forms.ModelChoiceField(
        label="牵头专委会", queryset=SpecialCommittee.objects.all(), required=False, empty_label="（未定）"
    )
    departments = forms.ModelMultipleChoiceField(
        label="协同单位", queryset=Department.objects.filter(is_active=True), required=False
    )
    planned_month = forms.TypedChoiceField(
        label="计划月份",
        choices=[("", "（未定）")] + [(m, f"{m}月") for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ResearchForm(_Bootstrap):
    kind = forms.ChoiceField(label="类型", choices=ResearchActivity.Kind.choices)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label="地点", max_length=200)
    participants = forms.ModelMultipleChoiceField(
        label="参加委员", queryset=Member.objects.none(), required=False
    )
    notes = forms.CharField(label="情况记录", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _serving_members()


class OutcomeForm(_Bootstrap):
    content = forms.CharField(label="成果内容", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    file = forms.FileField(label="成果文件", required=False)
    suggestion_count = forms.IntegerField(label="建议条数", min_value=0)
    submitted_to = forms.CharField(
        label="报送对象", max_length=200, required=False, help_text="如：市委、市政府"
    )


class FeedbackForm(_Bootstrap):
    content = forms.CharField(label="反馈情况", widget=forms.Textarea(attrs={"rows": 4}))
    adopted_count = forms.IntegerField(label="采纳建议条数", min_value=0)
    instruction = forms.CharField(label="领导批示", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    received_on = forms.DateField(
        label="反馈日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
    )


class CommentForm(_Bootstrap):
    comment = forms.CharField(label="说明", max_length=500, required=False)


class MeetingForm(_Bootstrap):
    topic = forms.ModelChoiceField(
        label="议题", queryset=Topic.objects.none(), required=False, empty_label="（无）"
    )
    title = forms.CharField(label="活动名称", max_length=200)
    type = forms.ChoiceField(label="协商形式", choices=ConsultationType.choices)
    start = forms.DateTimeField(
        label="开始时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        label="结束时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
    )
    place = forms.CharField(label="地点", max_length=200)
    invitees = forms.ModelMultipleChoiceField(
        label="邀请委员",
        queryset=Member.objects.none(),
        required=False,
        widget=MemberPickerWidget,
        help_text="全会、常委会议、主席会议不选时按惯例邀请：全体在任委员／在任常委和主席、副主席、秘书长／"
        "主席、副主席、秘书长。开始时间已过的为补录，不发送邀请。",
    )
    plenary = forms.ModelChoiceField(
        label="会次（全体会议）",
        queryset=Plenary.objects.none(),
        required=False,
        empty_label="（按日期匹配）",
    )
    invited_officials = forms.CharField(
        label="邀请党政领导及部门", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plenary"].queryset = Plenary.objects.select_related("term").order_by(
            "-term__number", "-number"
        )
        self.fields["invitees"].queryset = _serving_members()
        self.fields["topic"].queryset = (
            linkable_topics()
            .filter(state__in=[Topic.State.APPROVED, Topic.State.RESEARCHING, Topic.State.HELD])
            .select_related("plan")
        )

    def clean(self):
        data = super().clean()
        if not data.get("invitees") and data.get("type") in SESSION_TYPES:
            data["invitees"] = None  # the session's default circle
        return data


class MeetingEditForm(_Bootstrap):
    """Edit a planned meeting; invitees are added on the meeting page, the topic is fixed at creation."""

    title = forms.CharField(label="活动名称", max_length=200)
    type = forms.ChoiceField(label="协商形式", choices=ConsultationType.choices)
    start = forms.DateTimeField(
        label="开始时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="改期后将重新计算通知、材料、纪要期限，通知受邀委员，并更换签到二维码；"
        "只改开始时间时，结束时间随之顺延（会议时长不变）。",
    )
    end = forms.DateTimeField(
        label="结束时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label="地点", max_length=200)
    invited_officials = forms.CharField(
        label="邀请党政领导及部门", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    @classmethod
    def for_meeting(cls, meeting, data=None):
        initial = {
            f: getattr(meeting, f) for f in ("title", "type", "start", "end", "place", "invited_officials")
        }
        initial["start"] = timezone.localtime(initial["start"]).replace(second=0, microsecond=0)
        initial["end"] = timezone.localtime(initial["end"]).replace(second=0, microsecond=0)
        return cls(data, initial=initial)

    def changes(self) -> dict:
        """Only what the user changed: an unchanged start of a meeting under way is not a 'new start'."""
        return {f: self.cleaned_data[f] for f in self.changed_data}


class InviteForm(_Bootstrap):
    members = forms.ModelMultipleChoiceField(
        label="追加邀请委员", queryset=Member.objects.none(), widget=MemberPickerWidget
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = _serving_members()


class AttendanceForm(_Bootstrap):
    member = forms.ModelChoiceField(label="委员", queryset=Member.objects.all())
    status = forms.ChoiceField(label="出席情况", choices=Attendance.Status.choices)
    remote = forms.BooleanField(label="远程参会", required=False)


class RemoteUrlForm(_Bootstrap):
    url = forms.CharField(
        label="远程会议链接", max_length=200, required=False, help_text="留空则取消远程参会"
    )


class PickForm(_Bootstrap):
    speech = forms.IntegerField()
    oral = forms.BooleanField(required=False)


class MinutesForm(_Bootstrap):
    minutes = forms.CharField(label="会议纪要", widget=forms.Textarea(attrs={"rows": 8}))


class CancelForm(_Bootstrap):
    reason = forms.CharField(label="取消原因", max_length=200)


class ReplyForm(_Bootstrap):
    attend = forms.TypedChoiceField(
        label="是否参加",
        choices=[("1", "参加"), ("0", "请假")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="请假事由", max_length=200, required=False)


class SpeechForm(_Bootstrap):
    title = forms.CharField(label="发言题目", max_length=200)
    content = forms.CharField(label="发言材料", widget=forms.Textarea(attrs={"rows": 8}))


class CheckInForm(forms.Form):
    t = forms.CharField(widget=forms.HiddenInput)


def default_plan_year() -> int:
    return timezone.localdate().year


# --- sessions -------------------------------------------------------------------------------------


class LeaveRequestForm(_Bootstrap):
    kind = forms.ChoiceField(label="请假类别", choices=LeaveRequest.Kind.choices)
    reason = forms.CharField(label="请假事由", max_length=200)


class LeaveDecisionForm(_Bootstrap):
    leave = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        choices=[("1", "批准"), ("0", "不批准")], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    reason = forms.CharField(label="不批准原因", max_length=200, required=False)


class AgendaItemForm(_Bootstrap):
    order = forms.IntegerField(label="顺序", min_value=1, max_value=999)
    title = forms.CharField(label="议程", max_length=300)
    presenter = forms.CharField(label="报告人/主持人", max_length=100, required=False)


class MaterialForm(_Bootstrap):
    title = forms.CharField(label="材料标题", max_length=200, required=False, help_text="留空则用文件名")
    file = forms.FileField(label="文件（PDF、DOCX、XLSX）")
    agenda_item = forms.ModelChoiceField(
        label="所属议程", queryset=AgendaItem.objects.none(), required=False, empty_label="（整个会议）"
    )
    is_internal = forms.BooleanField(label="内部材料（下载的PDF带阅读人水印）", required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["agenda_item"].queryset = meeting.agenda.all()


class ReportOpinionForm(_Bootstrap):
    report = forms.ChoiceField(label="针对报告", choices=ReportOpinion.Report.choices)
    content = forms.CharField(label="意见内容", widget=forms.Textarea(attrs={"rows": 3}))
    member = forms.ModelChoiceField(
        label="提出委员", queryset=Member.objects.none(), required=False, empty_label="（集体讨论）"
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["member"].queryset = Member.objects.filter(
                consultation_attendances__meeting=meeting
            ).order_by("name")


class SpeechArrangeForm(_Bootstrap):
    speech = forms.IntegerField(widget=forms.HiddenInput)
    oral = forms.BooleanField(label="口头发言", required=False)
    order = forms.IntegerField(label="顺序", min_value=1, max_value=999, required=False)
