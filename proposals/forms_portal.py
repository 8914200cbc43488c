"""Department portal forms: they only shape the input; every rule is checked by the service."""

from django import forms

from .models import Contact, Reply

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXTAREA = {"class": "form-control", "rows": 4}


class AdjustmentForm(forms.Form):
    reason = forms.CharField(label="申请调整理由", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000)


class ExtensionForm(forms.Form):
    due_date = forms.DateField(label="申请延期至", widget=DATE_INPUT)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs=TEXTAREA), max_length=2000)


class ContactForm(forms.Form):
    date = forms.DateField(label="面商日期", widget=DATE_INPUT)
    way = forms.ChoiceField(
        label="方式",
        choices=Contact.Way.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "面商方式只能是当面、电话、书面或其他。"},
    )
    people = forms.CharField(
        label="参加人员",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "如：王科长、李委员"}),
    )
    summary = forms.CharField(label="面商情况", widget=forms.Textarea(attrs=TEXTAREA), max_length=5000)


class CoOpinionForm(forms.Form):
    content = forms.CharField(label="会办意见", widget=forms.Textarea(attrs=TEXTAREA), max_length=10000)


class ReplyForm(forms.Form):
    result = forms.ChoiceField(
        label="答复类别",
        choices=Reply.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "答复类别只能是 A、B 或 C。", "required": "请选择答复类别。"},
    )
    content = forms.CharField(
        label="答复内容", widget=forms.Textarea(attrs={**TEXTAREA, "rows": 8}), max_length=20000
    )
    signer = forms.CharField(
        label="签发领导",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    letter = forms.FileField(
        label="答复函",
        required=False,
        help_text="盖章后的答复函扫描件或 DOCX（pdf、doc、docx、jpg、png）。",
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png"}
        ),
    )
