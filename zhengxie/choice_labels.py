"""`get_FOO_display()` of the project's models answered from a dict made once per field.

Django's own (`Model._get_FIELD_display`) rebuilds the field's whole choice dict, through `make_hashable`,
on every call: ~10–20 µs for a 13-state field, and a 50-row list calls it a few hundred times (state, kind,
each co-signer's status, each unit's role). Installed from WorkflowConfig.ready, after every model is loaded.
Only the getters Django itself added (a model's own `get_FOO_display` stays) of fields whose choices are a
fixed list (callable choices keep Django's lookup)."""

from functools import partialmethod
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.encoding import force_str


def _getter(field):
    labels = {}
    for value, label in field.flatchoices:
        try:
            labels[value] = label
        except TypeError:  # an unhashable choice value: Django's own lookup handles it
            return None
    attname = field.attname

    def get_display(self):
        value = getattr(self, attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own answer
            return self._get_FIELD_display(field)
        return force_str(label, strings_only=True)

    get_display.choice_field = field  # for the test that compares with Django's own
    return get_display


def project_models():
    """The models of the project's own apps (not Django's or a package's, even with the virtualenv inside
    the checkout)."""
    root = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and "site-packages" not in path.parts:
            yield from config.get_models()


def install() -> int:
    """Replace Django's generated getters; returns how many were replaced."""
    replaced = 0
    for model in project_models():
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            generated = model.__dict__.get(name)
            if not field.choices or not isinstance(generated, partialmethod):
                continue
            if not isinstance(field.choices, (list, tuple)):
                continue
            getter = _getter(field)
            if getter is not None:
                setattr(model, name, getter)
                replaced += 1
    return replaced
