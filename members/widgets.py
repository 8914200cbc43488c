"""A member picker for forms whose choice is "any of the serving members" (thousands of them).

The widget renders a search box that asks ``members:pick`` (an htmx fragment of at most
``PICK_LIMIT`` matches) and only the members already chosen, never the whole queryset; the
field stays a ModelMultipleChoiceField, so the posted ids are validated against its queryset.
Behaviour (moving a ticked match into the chosen list) lives in static/js/member_picker.js.
"""

from django import forms
from django.urls import reverse

from .models import Member


class MemberPickerWidget(forms.Widget):
    """``single=True`` for a ModelChoiceField (one member: radio buttons instead of checkboxes)."""

    template_name = "members/picker/widget.html"

    def __init__(self, attrs=None, *, single=False):
        super().__init__(attrs)
        self.single = single
        self.allow_multiple_selected = not single

    def value_from_datadict(self, data, files, name):
        if self.single:
            return data.get(name)
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def use_required_attribute(self, initial):
        return False  # the search box itself need not be filled in

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty choice is a real answer

    def format_value(self, value):
        if value is None:
            return []
        if not isinstance(value, list | tuple | set):
            value = [value]
        ids = []
        for v in value:
            pk = getattr(v, "pk", v)
            try:
                ids.append(int(pk))
            except (TypeError, ValueError):
                continue
        return ids

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = context["widget"]["value"]
        chosen = []
        if ids:
            by_id = {m.pk: m for m in Member.objects.filter(pk__in=ids[:500]).select_related("sector")}
            chosen = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
        context["widget"]["chosen"] = chosen
        context["widget"]["input_type"] = "radio" if self.single else "checkbox"
        context["widget"]["pick_url"] = (
            reverse("members:pick") + f"?field={name}" + ("&single=1" if self.single else "")
        )
        return context

    def id_for_label(self, id_):
        return id_
