"""Admin changelists with list_editable render bare inputs; give each one an accessible name."""


class LabelledListEditableMixin:
    """Every inline-editable input is labelled "<row>：<field>" (aria-label), e.g. "经济：排序"."""

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                for field in self.fields.values():
                    field.widget.attrs.setdefault("aria-label", f"{self.instance}：{field.label}")

        return LabelledForm
