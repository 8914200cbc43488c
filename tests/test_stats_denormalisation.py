"""The stat_* fields the handling services keep for the statistics, set where the events happen, and the
data migration that fills them for rows made before they existed."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from conftest import make_user
from proposals import services, stats
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.accounts.models import Department, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(member, staff_user, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def co_user(db):
    dept = Department.objects.create(name="市公安局交警支队", code="JJ")
    return make_user("jj1", Role.DEPARTMENT, department=dept)


@pytest.fixture
def tasks(registered, staff_user, department, department_user, co_user):
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": co_user.department_id, "role": "co"},
        ],
    )
    lead = Assignment.objects.get(proposal=registered, role="lead")
    co = Assignment.objects.get(proposal=registered, role="co")
    return registered, lead, co


def _reply(task, user, result="A"):
    services.assignment_accept(actor=user, assignment=task)
    services.assignment_add_contact(
        actor=user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=user, assignment=task, result=result, content="已落实。")


def test_assignment_copies_the_proposal_session(tasks, plenary):
    proposal, lead, co = tasks
    year = timezone.localtime(proposal.submitted_at).year
    for task in (lead, co):
        assert (task.stat_term_id, task.stat_plenary_id, task.stat_year) == (
            plenary.term_id,
            plenary.pk,
            year,
        )


def test_on_time_reply_contact_and_rating_are_recorded(tasks, department_user, co_user, member):
    proposal, lead, co = tasks
    services.assignment_accept(actor=co_user, assignment=co)
    services.assignment_co_opinion(actor=co_user, assignment=co, content="同意。")
    _reply(lead, department_user, "B")
    lead.refresh_from_db()
    co.refresh_from_db()
    proposal.refresh_from_db()
    assert (lead.stat_on_time, lead.stat_result, lead.stat_contacted) == (True, "B", True)
    assert co.stat_on_time is True and co.stat_result == ""
    assert (proposal.stat_on_time, proposal.stat_contacted, proposal.stat_satisfaction) == (True, True, "")
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="basically_satisfied")
    proposal.refresh_from_db()
    lead.refresh_from_db()
    assert proposal.stat_satisfaction == lead.stat_satisfaction == "basically_satisfied"
    figures = stats.proposal_stats(stats.Scope())
    assert (figures["replied"], figures["replied_on_time"], figures["contacted"], figures["satisfied"]) == (
        1,
        1,
        1,
        1,
    )


def test_late_reply_and_rehandling(tasks, department_user, member):
    proposal, lead, co = tasks
    Assignment.objects.filter(pk=lead.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    _reply(lead, department_user, "C")
    proposal.refresh_from_db()
    lead.refresh_from_db()
    assert proposal.stat_on_time is False and lead.stat_on_time is False
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="dissatisfied")
    lead.refresh_from_db()
    assert lead.handling_round == 2 and lead.stat_satisfaction == "dissatisfied"
    # Second round: on time this time, result A; the first-round on-time flag stays, the result moves on.
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="再次办理。")
    lead.refresh_from_db()
    proposal.refresh_from_db()
    assert (lead.stat_on_time, lead.stat_result) == (False, "A")
    assert proposal.stat_on_time is False
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="satisfied")
    proposal.refresh_from_db()
    assert proposal.stat_satisfaction == "satisfied" and proposal.state == Proposal.State.CLOSED
    row = stats.department_rows(stats.Scope(), department_id=lead.department_id)[0]
    assert (row["late"], row["a"], row["rehandled"], row["satisfied"]) == (1, 1, 1, 1)


def test_data_migration_fills_the_fields(tasks, department_user, co_user, member):
    proposal, lead, co = tasks
    services.assignment_accept(actor=co_user, assignment=co)
    services.assignment_co_opinion(actor=co_user, assignment=co, content="同意。")
    _reply(lead, department_user, "B")
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="satisfied")
    expected_p = Proposal.objects.values("stat_contacted", "stat_satisfaction", "stat_on_time").get(
        pk=proposal.pk
    )
    fields = ["stat_term", "stat_plenary", "stat_year", "stat_on_time", "stat_result", "stat_contacted"]
    expected_a = {a["id"]: a for a in Assignment.objects.values("id", "stat_satisfaction", *fields)}
    Proposal.objects.update(stat_contacted=False, stat_satisfaction="", stat_on_time=None)
    Assignment.objects.update(
        stat_term=None,
        stat_plenary=None,
        stat_year=None,
        stat_on_time=None,
        stat_result="",
        stat_contacted=False,
        stat_satisfaction="",
    )
    import_module("proposals.migrations.0006_stats_backfill").backfill(apps, None)
    assert (
        Proposal.objects.values("stat_contacted", "stat_satisfaction", "stat_on_time").get(pk=proposal.pk)
        == expected_p
    )
    assert {a["id"]: a for a in Assignment.objects.values("id", "stat_satisfaction", *fields)} == expected_a


def test_rollups_stay_equal_to_a_direct_scan_after_any_writes(
    member, staff_user, department, other_department
):
    from django.db.models import Count, Q, Sum

    from proposals.models import AssignmentStatCount, ProposalStatCount
    from tests.test_stats_proposals import build_dataset

    data = build_dataset(member, staff_user, department, other_department)
    p = data.proposals
    Proposal.objects.filter(pk=p[6].pk).update(category=data.society, state="assigned")
    Proposal.objects.filter(pk=p[9].pk).update(state="withdrawn")
    Proposal.objects.filter(pk=p["draft"].pk).update(state="submitted", submitted_at=timezone.now())
    Proposal.objects.filter(pk=p[2].pk).update(title="只改标题")  # no dimension changes
    Assignment.objects.filter(proposal=p[5], role="lead").update(state="cancelled")
    Assignment.objects.filter(proposal=p[3]).delete()
    Assignment.objects.filter(proposal=p[1], role="lead").update(stat_result="B", handling_round=2)
    Proposal.objects.filter(pk=p[8].pk).delete()
    # An open task moved to another due date, met (面商) before its reply; a replied one moved between
    # departments with new figures.
    today = timezone.localdate()
    open_task = (
        Assignment.objects.filter(state__in=Assignment.OPEN_STATES, role="lead").order_by("pk").first()
    )
    Assignment.objects.filter(pk=open_task.pk).update(
        due_date=today - timedelta(days=3), stat_contacted=True, stat_on_time=None, stat_result=""
    )
    answered = Assignment.objects.filter(stat_on_time__isnull=False, role="lead").order_by("pk").first()
    Assignment.objects.filter(pk=answered.pk).update(
        department=other_department, stat_contacted=True, stat_satisfaction="satisfied"
    )

    dims = ["term_id", "plenary_id", "state", "kind", "category_id"]
    scanned = {
        (*[r[d] for d in dims], r["stat_contacted"], r["stat_satisfaction"], r["stat_on_time"]): r["n"]
        for r in stats.received_proposals(stats.Scope())
        .values(*dims, "stat_contacted", "stat_satisfaction", "stat_on_time")
        .annotate(n=Count("pk"))
    }
    rolled = {
        (*[r[d] for d in dims], r["contacted"], r["satisfaction"], r["on_time"]): r["n"]
        for r in ProposalStatCount.objects.values(*dims, "contacted", "satisfaction", "on_time")
        .annotate(n=Sum("n"))
        .filter(n__gt=0)
    }
    assert rolled == scanned and sum(scanned.values()) == 9  # 10 − withdrawn − deleted + the draft submitted
    # Every figure of every department, counted from the tasks themselves.
    formal = Q(role__in=["lead", "separate"])
    answered = Q(stat_on_time__isnull=False)
    conditions = {
        "assigned": Q(),
        "replied": answered,
        "on_time": Q(stat_on_time=True),
        "late": Q(stat_on_time=False),
        "overdue": Q(state__in=Assignment.OPEN_STATES, due_date__lt=today),
        "a": Q(stat_result="A"),
        "b": Q(stat_result="B"),
        "c": Q(stat_result="C"),
        "formal_replied": formal & answered,
        "contacted": formal & answered & Q(stat_contacted=True),
        "rehandled": formal & Q(handling_round__gte=2),
        "rated": formal & ~Q(stat_satisfaction=""),
        "satisfied": formal & Q(stat_satisfaction__in=stats.SATISFIED),
    }
    scan_tasks = {
        r["department_id"]: {k: r[f"n_{k}"] for k in conditions}
        for r in stats.scoped_assignments(stats.Scope())
        .values("department_id")
        .annotate(**{f"n_{k}": Count("pk", filter=c) for k, c in conditions.items()})
    }
    rows = {r["department"]: {k: r[k] for k in conditions} for r in stats.department_rows(stats.Scope())}
    assert rows == scan_tasks
    # The data set exercises the figures the trigger keeps (not all zero).
    exercised = ("assigned", "replied", "overdue", "b", "rehandled", "contacted", "satisfied")
    assert all(any(r[k] for r in rows.values()) for k in exercised)
    assert (
        AssignmentStatCount.objects.aggregate(n=Sum("n"))["n"]
        == stats.scoped_assignments(stats.Scope()).count()
    )


def test_rebuilt_rollups_equal_the_trigger_kept_ones(member, staff_user, department, other_department):
    """Where there are no triggers (the SQLite demo) the rollups are rebuilt from the rows: same figures."""
    from proposals.models import AssignmentStatCount, ProposalStatCount
    from tests.test_stats_proposals import build_dataset

    build_dataset(member, staff_user, department, other_department)

    def snapshot():
        fields_p = [f.name for f in ProposalStatCount._meta.fields if f.name not in ("id", "n")]
        fields_a = [f.name for f in AssignmentStatCount._meta.fields if f.name not in ("id", "n")]
        return (
            {
                tuple(r[f] for f in fields_p): r["n"]
                for r in ProposalStatCount.objects.filter(n__gt=0).values()
            },
            {
                tuple(r[f] for f in fields_a): r["n"]
                for r in AssignmentStatCount.objects.filter(n__gt=0).values()
            },
        )

    by_triggers = snapshot()
    figures = stats.proposal_stats(stats.Scope())
    stats.rebuild_rollups()
    assert snapshot() == by_triggers
    assert stats.proposal_stats(stats.Scope()) == figures
