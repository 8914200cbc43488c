"""zhengxie.model_loading: a project model's instance read from the database is the one Django's own
from_db would make (every loaded value, the deferred fields, the state), for every project model."""

import pytest
from django.core.management import call_command
from django.db.models.signals import post_init

from proposals.models import Assignment, Proposal
from zhengxie.choice_labels import project_models
from zhengxie.model_loading import _DJANGO_FROM_DB, fast_from_db, qualifies


def _snapshot(instance):
    state = instance._state
    data = {k: v for k, v in instance.__dict__.items() if k != "_state"}
    return data, state.adding, state.db, instance.get_deferred_fields(), type(instance)


def test_every_project_model_loads_through_the_fast_path():
    models = list(project_models())
    assert len(models) > 80
    assert not [m for m in models if m.__module__.split(".")[0] in ("django", "axes", "rest_framework")]
    assert all(model.from_db.__func__ is fast_from_db for model in models)


@pytest.mark.django_db
def test_instances_equal_djangos_for_every_model_whole_and_deferred():
    call_command("seed_demo", verbosity=0)
    compared = 0
    for model in project_models():
        attnames = [f.attname for f in model._meta.concrete_fields]
        # whole rows, the first columns, every other column (the rest deferred); as the ORM gives them,
        # in the model's field order (Django's from_db reads the values in that order whatever the names)
        shapes = [attnames, attnames[:2], attnames[::2]]
        for names in shapes:
            for row in model._base_manager.order_by("pk").values_list(*names)[:5]:
                fast = fast_from_db(model, "default", names, row)
                django = _DJANGO_FROM_DB(model, "default", names, row)
                assert _snapshot(fast) == _snapshot(django), (model, names)
                compared += 1
    assert compared > 300


@pytest.mark.django_db
def test_loaded_instances_behave(member, member_user, term):
    from proposals import services
    from proposals.models import ProposalCategory

    category = ProposalCategory.objects.filter(is_active=True).first()
    proposal = services.proposal_create(
        actor=member_user, title="关于加强社区养老服务的提案", content="内容", category=category
    )
    row = Proposal.objects.only("pk", "title").get(pk=proposal.pk)
    assert not row._state.adding and row._state.db == "default"
    assert "content" in row.get_deferred_fields()
    assert row.content == "内容"  # a deferred field loads on access
    assert row.proposer_id == member.pk and row.proposer.name == member.name  # a foreign key follows its id
    row.title = "新题目"
    row.save(update_fields=["title"])
    assert Proposal.objects.get(pk=proposal.pk).title == "新题目"
    joined = Proposal.objects.select_related("proposer").get(pk=proposal.pk)
    assert joined._state.fields_cache["proposer"].name == member.name


def test_a_model_with_an_init_receiver_keeps_djangos_own():
    def receiver(**kwargs):
        pass

    assert qualifies_as_django(Assignment)
    post_init.connect(receiver, sender=Assignment)
    try:
        assert not qualifies_as_django(Assignment)
    finally:
        post_init.disconnect(receiver, sender=Assignment)


def qualifies_as_django(model):
    """qualifies() as install() saw it: before install() replaced from_db."""
    installed = model.__dict__.get("from_db")
    del model.from_db
    try:
        return qualifies(model)
    finally:
        model.from_db = installed
