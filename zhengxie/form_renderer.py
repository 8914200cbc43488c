"""The form renderer: Django's templates, except a <select> with Django's own markup written in Python.

Django renders every <option> through two included templates (select_option.html, attrs.html): a select of
150 units or 500 topics took 30–70 ms of a page (the activities list, the 督办台). The markup below is the
same as those templates' (tests/test_form_renderer.py compares the two on every kind of select), escaped the
same way; any other widget, and a select whose option template is not Django's, goes through the templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs) -> str:
    # attrs.html: ` name="value"`; True as a bare name, False left out.
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(format_html(' {}="{}"', name, f"{value}"))  # stringformat:'s' (never safe)
    return "".join(out)


def render_select(widget: dict) -> str:
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',  # select_option.html ends in a newline
                    f"{option['value']}",  # a plain str: escaped like stringformat
                    mark_safe(_attrs(option["attrs"])),
                    option["label"],
                )
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _fast(template_name: str, context) -> bool:
    if template_name != SELECT:
        return False
    return all(
        option.get("template_name") == OPTION
        for _name, choices, _index in context["widget"]["optgroups"]
        for option in choices
    )


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if _fast(template_name, context):
            return mark_safe(render_select(context["widget"]))
        return super().render(template_name, context, request)
