"""Forms of the staff handling panel and the supervision board. They only read the fields; the rules
(who may assign, which combinations of 主办/会办/分办 are allowed, …) live in the services."""

from django import forms

from zhengxie.accounts.models import Department, Role, User

from .models import Assignment, Supervision

ASSIGN_ROWS = 5


class AssignForm(forms.Form):
    """交办: up to five rows of (承办单位, 办理方式); empty rows are skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True)
        for i in range(ASSIGN_ROWS):
            self.fields[f"department_{i}"] = forms.ModelChoiceField(
                label=f"承办单位{i + 1}", queryset=departments, required=False
            )
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=f"办理方式{i + 1}", choices=[("", "—"), *Assignment.Role.choices], required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(label=f"指定办理期限{i + 1}", required=False)

    def clean(self):
        data = super().clean()
        rows = []
        for i in range(ASSIGN_ROWS):
            department, role = data.get(f"department_{i}"), data.get(f"role_{i}")
            if department is None and not role:
                continue
            if department is None:
                raise forms.ValidationError(f"第{i + 1}行请选择承办单位。")
            if not role:
                raise forms.ValidationError(f"第{i + 1}行请选择办理方式（主办、会办或分办）。")
            rows.append({"department": department.pk, "role": role, "due_date": data.get(f"due_{i}")})
        if not rows:
            raise forms.ValidationError("请至少选择一个承办单位。")
        data["assignments"] = rows
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="处理", choices=[("approve", "同意"), ("refuse", "不同意")])

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class AdjustmentDecisionForm(DecisionForm):
    department = forms.ModelChoiceField(
        label="改由承办单位", queryset=Department.objects.filter(is_active=True), required=False
    )


class MarkKeyForm(forms.Form):
    is_key = forms.ChoiceField(label="重点提案", choices=[("1", "列为重点提案"), ("0", "取消重点提案")])
    leader = forms.ModelChoiceField(
        label="领办领导", queryset=User.objects.filter(role=Role.LEADER, is_active=True), required=False
    )


class SuperviseForm(forms.Form):
    kind = forms.ChoiceField(label="督办方式", choices=Supervision.Kind.choices)
    note = forms.CharField(label="督办情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def first_error(form: forms.Form) -> str:
    """A form posted from another page shows its first error as a message."""
    for name, errors in form.errors.items():
        for error in errors:
            field = form.fields.get(name)
            return f"{field.label}：{error}" if field is not None else error
    return "提交的内容有误。"
