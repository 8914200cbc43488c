"""Forms of the proposal pages. They check shape only; the services enforce the rules and word limits."""

from django import forms

from zhengxie.params import is_int

from .models import Evaluation, Proposal
from .page_selectors import active_categories, cosign_candidates, plenary_choices, rejection_reasons

SESSION_CHOICES = [("1", "大会期间"), ("0", "闭会期间")]


class ProposalForm(forms.Form):
    title = forms.CharField(label="案由", strip=True, error_messages={"required": "案由不能为空。"})
    category = forms.ModelChoiceField(
        label="类别",
        queryset=active_categories(),
        empty_label="请选择类别",
        error_messages={"required": "请选择提案类别。", "invalid_choice": "请选择有效的提案类别。"},
    )
    kind = forms.ChoiceField(
        label="类型",
        choices=Proposal.Kind.choices,
        initial=Proposal.Kind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    organization = forms.CharField(
        label="提案单位", required=False, help_text="集体提案填写党派、团体、界别或专委会名称"
    )
    cosigners = forms.ModelMultipleChoiceField(
        label="联名人",
        queryset=cosign_candidates(exclude=None),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "联名人无效或已不是在任委员。", "invalid_pk_value": "联名人无效。"},
    )
    during_plenary = forms.TypedChoiceField(
        label="提出时间",
        choices=SESSION_CHOICES,
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    plenary = forms.ModelChoiceField(
        label="会次",
        queryset=plenary_choices().none(),
        required=False,
        empty_label="请选择会次",
        error_messages={"invalid_choice": "会次不存在或已闭幕；闭幕后提出的提案请选“闭会期间”。"},
    )
    content = forms.CharField(
        label="正文", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 14})
    )
    attachment = forms.FileField(label="附件", required=False)

    def __init__(self, *args, proposer=None, keep_plenary=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cosigners"].queryset = cosign_candidates(exclude=proposer)
        self.fields["plenary"].queryset = plenary_choices(keep=keep_plenary)
        self.fields["plenary"].label_from_instance = lambda p: f"{p.term.name}{p.name}"
        self.fields["cosigners"].label_from_instance = lambda m: (
            f"{m.name}（{m.sector.name}）" if m.sector_id else m.name
        )

    def ordered_cosigner_ids(self) -> list[int]:
        """Co-signers in the order they were posted (the service keeps that order)."""
        chosen = {m.pk for m in self.cleaned_data.get("cosigners") or []}
        ids = []
        for raw in self.data.getlist("cosigners") if hasattr(self.data, "getlist") else []:
            if is_int(raw) and int(raw) in chosen and int(raw) not in ids:
                ids.append(int(raw))
        return ids

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "content": data.get("content", ""),
            "category": data["category"],
            "kind": data["kind"],
            "organization": data.get("organization", ""),
            "cosigners": self.ordered_cosigner_ids() if data["kind"] == Proposal.Kind.JOINT else [],
            "during_plenary": data["during_plenary"],
            "plenary": data.get("plenary") if data["during_plenary"] else None,
        }

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict:
        return {
            "title": proposal.title,
            "content": proposal.content,
            "category": proposal.category_id,
            "kind": proposal.kind,
            "organization": proposal.organization,
            "cosigners": [c.member_id for c in proposal.cosigners.all() if c.merged_from_id is None],
            "during_plenary": "1" if proposal.during_plenary else "0",
            "plenary": proposal.plenary_id,
        }


class EvaluationForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="满意度",
        choices=Evaluation.Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择满意度。",
            "invalid_choice": "满意度只能是满意、基本满意或不满意。",
        },
    )
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回须填写理由。"},
    )


class RejectForm(forms.Form):
    reason_code = forms.ModelChoiceField(
        label="标准理由",
        queryset=rejection_reasons(),
        required=False,
        empty_label="（不选）",
        error_messages={"invalid_choice": "不予立案理由不在标准列表中。"},
    )
    reason = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    disposition = forms.ChoiceField(
        label="处理方式",
        choices=Proposal.Disposition.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择处理方式：转社情民意、转工作建议、转委员来信或不转。",
            "invalid_choice": "请选择处理方式：转社情民意、转工作建议、转委员来信或不转。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = rejection_reasons()

    def clean(self):
        data = super().clean()
        if not data.get("reason_code") and not (data.get("reason") or "").strip():
            raise forms.ValidationError("不予立案须说明理由。")
        return data


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label="并入提案",
        error_messages={"required": "请选择要并入的已立案提案。", "invalid": "请选择要并入的已立案提案。"},
    )
