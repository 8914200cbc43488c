"""get_FOO_display() answered from a dict made once per field (zhengxie/choice_labels.py): the same labels as
Django's own for every choice field of the project's models, any stored value."""

from django.db.models import Model

from proposals.models import Proposal
from zhengxie import choice_labels


def _replaced():
    for model in choice_labels.project_models():
        for field in model._meta.concrete_fields:
            getter = model.__dict__.get(f"get_{field.name}_display")
            if getattr(getter, "choice_field", None) is field:
                yield model, field


def test_every_fixed_choice_field_of_the_project_is_answered_like_djangos_own():
    replaced = list(_replaced())
    assert len(replaced) > 50  # states, kinds, roles, results… of every app
    for model, field in replaced:
        values = [value for value, _ in field.flatchoices] + ["no-such-value", "", None, 12345]
        for value in values:
            row = model()
            setattr(row, field.attname, value)
            ours = getattr(row, f"get_{field.name}_display")()
            django = Model._get_FIELD_display(row, field)
            assert ours == django and type(ours) is type(django), (model.__name__, field.name, value)


def test_labels_are_plain_strings():
    row = Proposal(state=Proposal.State.SUBMITTED)
    assert row.get_state_display() == "待审查" and type(row.get_state_display()) is str
