"""The Python <select> of zhengxie.form_renderer writes exactly what Django's widget templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from zhengxie.accounts.models import Department
from zhengxie.form_renderer import FormRenderer

HOSTILE = "<script>alert(\"x\")</script> & 'q' =SUM(A1)"


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "甲"), ("b", HOSTILE)], required=False)
    grouped = forms.ChoiceField(
        choices=[("组一", [("1", "一"), ("2", "二")]), ("<组二>", [("3", HOSTILE)]), ("4", "四")]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", mark_safe("<b>Y</b>"))], required=False)
    styled = forms.ChoiceField(
        choices=[(1, "一"), (2, "二")],
        widget=forms.Select(
            attrs={"class": "form-select", "data-x": '"q"', "disabled": True, "hidden": False}
        ),
    )
    units = forms.ModelChoiceField(queryset=Department.objects.order_by("id"), required=False)
    text = forms.CharField(required=False)


def _render(renderer, data=None):
    form = Sample(data=data, renderer=renderer)
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [None, {"plain": "b", "grouped": "3", "many": ["x", "y"], "styled": "2", "text": HOSTILE}],
    ids=["unbound", "bound"],
)
def test_select_markup_is_djangos(data):
    Department.objects.create(name=HOSTILE, code="H1")
    Department.objects.create(name="发展改革委", code="H2")
    if data is not None:
        data = {**data, "units": str(Department.objects.get(code="H2").pk)}
    fast, django = _render(FormRenderer(), data), _render(DjangoTemplates(), data)
    assert fast == django
    # The fast path was taken (and escaped): the hostile label is text, the selected option marked.
    assert "&lt;script&gt;" in fast["plain"] and "<script>" not in fast["plain"]
    if data is not None:
        assert 'value="b" selected' in fast["plain"]


def test_other_option_templates_go_through_templates():
    class Radioish(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    field = forms.ChoiceField(choices=[("a", "甲")], widget=Radioish)
    form = forms.Form(renderer=FormRenderer())
    form.fields["f"] = field
    assert "<label><input" in str(form["f"])  # the option template ran
