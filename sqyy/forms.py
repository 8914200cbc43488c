"""社情民意 page forms: they shape the input; every rule (lengths from the policy, states, roles) is
checked again by the service."""

from django import forms

from members.models import Member
from zhengxie.accounts.models import Department

from .models import Instruction, OpinionCategory, OpinionReport, Transfer, UpperAdoption

TEXT = {"class": "form-control"}
TEXTAREA = {"class": "form-control", "rows": 4}
DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
SELECT = {"class": "form-select"}


class CategoryChoiceField(forms.ChoiceField):
    """类别 from the managed list (admin → 社情民意类别); a report's existing category stays selectable."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "类别")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Select(attrs=SELECT))
        kwargs.setdefault("error_messages", {"invalid_choice": "请从列表中选择类别。"})
        super().__init__(choices=(), **kwargs)

    def offer(self, keep: str = "") -> None:
        names = list(OpinionCategory.objects.filter(is_active=True).values_list("name", flat=True))
        if keep and keep not in names:
            names.append(keep)
        self.choices = [("", "请选择类别"), *((n, n) for n in names)]


class OpinionReportForm(forms.Form):
    title = forms.CharField(
        label="标题", max_length=200, widget=forms.TextInput(attrs={**TEXT, "data-count-max": "200"})
    )
    content = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 14}),
        help_text="一事一报：写明情况、分析和建议。",
    )
    category = CategoryChoiceField()
    is_urgent = forms.BooleanField(
        label="急事急报", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    attachment = forms.FileField(
        label="附件", required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, content_max: int | None = None, keep_category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The report's own category stays selectable even if staff have since retired it.
        self.fields["category"].offer(keep_category or self.initial.get("category") or "")
        if self.auto_id:
            self.fields["title"].widget.attrs["data-count-target"] = f"{self.auto_id % 'title'}-count"
        else:
            self.fields["title"].widget.attrs.pop("data-count-max", None)
        self.content_max = content_max
        if content_max and self.auto_id:
            self.fields["content"].widget.attrs.update(
                {"data-count-max": str(content_max), "data-count-target": f"{self.auto_id % 'content'}-count"}
            )


class StaffEntryForm(OpinionReportForm):
    """Staff enter a report for a member, a party, an organisation, a 界别, a 专委会 or the office."""

    reflector_kind = forms.ChoiceField(
        label="反映人类型", choices=OpinionReport.ReflectorKind.choices, widget=forms.Select(attrs=SELECT)
    )
    reflector = forms.ModelChoiceField(
        label="委员",
        required=False,
        queryset=Member.objects.order_by("name"),
        widget=forms.Select(attrs=SELECT),
        help_text="反映人类型为委员时选择。",
    )
    reflector_name = forms.CharField(
        label="反映单位/个人",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text="党派、团体、界别、专委会名称；机关工作人员可留空（默认为录入人）。",
    )


class EditedTextForm(forms.Form):
    title = forms.CharField(label="编辑后标题", max_length=200, widget=forms.TextInput(attrs=TEXT))
    content = forms.CharField(label="编辑后内容", widget=forms.Textarea(attrs={**TEXTAREA, "rows": 16}))
    category = CategoryChoiceField()

    def __init__(self, *args, keep_category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].offer(keep_category or self.initial.get("category") or "")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000)


class InstructionForm(forms.Form):
    leader = forms.CharField(label="批示领导", max_length=100, widget=forms.TextInput(attrs=TEXT))
    level = forms.ChoiceField(
        label="级别", choices=Instruction.Level.choices, widget=forms.Select(attrs=SELECT)
    )
    date = forms.DateField(label="批示日期", widget=DATE_INPUT)
    content = forms.CharField(label="批示内容", widget=forms.Textarea(attrs=TEXTAREA))


class ForwardForm(forms.Form):
    to = forms.CharField(
        label="报送单位",
        max_length=300,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "如：市委办公室、市政府办公室、省政协"}),
    )
    date = forms.DateField(label="报送日期", widget=DATE_INPUT)


class UpperAdoptionForm(forms.Form):
    body = forms.CharField(
        label="采用单位",
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": "如：省政协、全国政协"}),
    )
    kind = forms.ChoiceField(
        label="采用方式", choices=UpperAdoption.Kind.choices, widget=forms.Select(attrs=SELECT)
    )
    date = forms.DateField(label="采用日期", widget=DATE_INPUT)
    note = forms.CharField(label="说明", required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))


class TransferForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label="承办单位",
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 6}),
        error_messages={"required": "请至少选择一个承办单位。"},
    )


class FeedbackForm(forms.Form):
    content = forms.CharField(label="向反映人反馈", widget=forms.Textarea(attrs=TEXTAREA))


class BulletinCreateForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_INPUT)
    title = forms.CharField(
        label="刊名", max_length=100, initial="社情民意", widget=forms.TextInput(attrs=TEXT)
    )
    editor_note = forms.CharField(
        label="编者按", required=False, widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3})
    )


class BulletinAddForm(forms.Form):
    report = forms.IntegerField(widget=forms.HiddenInput)


class TransferReplyForm(forms.Form):
    result = forms.ChoiceField(
        label="答复类别",
        choices=Transfer.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "答复类别只能是 A、B 或 C。", "required": "请选择答复类别。"},
    )
    content = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={**TEXTAREA, "rows": 8}))
    signer = forms.CharField(
        label="签发领导", required=False, max_length=50, widget=forms.TextInput(attrs=TEXT)
    )
    letter = forms.FileField(
        label="答复函",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png"}
        ),
    )


class TransferAdjustmentForm(forms.Form):
    reason = forms.CharField(label="申请调整理由", max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class TransferExtensionForm(forms.Form):
    due_date = forms.DateField(label="申请延期至", widget=DATE_INPUT)
    reason = forms.CharField(label="延期理由", max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class TransferDecisionForm(forms.Form):
    """Staff approve or refuse a department's request; only an approved adjustment needs a department."""

    decision = forms.ChoiceField(label="处理", choices=[("approve", "同意"), ("refuse", "不同意")])
    department = forms.ModelChoiceField(
        label="改由承办单位", queryset=Department.objects.filter(is_active=True), required=False
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
