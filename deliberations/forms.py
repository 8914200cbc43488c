"""Page forms: they validate input; the services decide what is allowed."""

import re

from django import forms

from consultations.models import Topic
from consultations.selectors import linkable_topics
from members.models import Member
from members.widgets import MemberPickerWidget
from zhengxie.accounts.models import Department

from .models import POST_MAX_LENGTH

_DATETIME = {"type": "datetime-local"}


class _Bootstrap(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class DeliberationForm(_Bootstrap):
    title = forms.CharField(label="议政主题", max_length=200)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    topic = forms.ModelChoiceField(
        label="关联协商议题",
        queryset=Topic.objects.none(),  # set per form: linkable_topics() depends on the day
        required=False,
        empty_label="（不关联）",
    )
    opens_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M")
    )
    closes_at = forms.DateTimeField(
        label="结束时间", widget=forms.DateTimeInput(attrs=_DATETIME, format="%Y-%m-%dT%H:%M")
    )
    participants = forms.ModelMultipleChoiceField(
        label="参与委员",
        queryset=Member.objects.filter(status=Member.Status.SERVING).order_by("name", "id"),
        required=False,
        widget=MemberPickerWidget,
        help_text="不选则为全体在任委员",
    )
    departments = forms.ModelMultipleChoiceField(
        label="受邀单位",
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text="受邀单位的答复以单位名义显示",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = linkable_topics().select_related("plan").order_by("-plan__year", "id")


class PostForm(_Bootstrap):
    content = forms.CharField(
        label="发言内容",
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": POST_MAX_LENGTH}),
        help_text=f"不超过{POST_MAX_LENGTH}字，可分段",
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = forms.FileField(label="附件", required=False)


class HideForm(_Bootstrap):
    reason = forms.CharField(label="屏蔽原因", max_length=200)


_CITED = re.compile(r"[【\[]([\d,，、\s]+)[】\]]\s*$")


class SummaryForm(_Bootstrap):
    summary = forms.CharField(
        label="综述", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="写在专报开头"
    )
    suggestions = forms.CharField(
        label="建议",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每条建议一段，段与段之间空一行；段末用【发言编号】注明所依据的发言，如【3,7】",
    )

    def clean_suggestions(self):
        items = []
        for block in re.split(r"\n\s*\n", self.cleaned_data["suggestions"].replace("\r\n", "\n")):
            block = block.strip()
            if not block:
                continue
            posts = []
            match = _CITED.search(block)
            if match:
                posts = [int(n) for n in re.findall(r"\d+", match.group(1))]
                block = block[: match.start()].strip()
            items.append({"content": block, "posts": posts})
        if not items:
            raise forms.ValidationError("请至少填写一条建议。")
        return items
