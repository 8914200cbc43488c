"""Proposal.open_due_date (the earliest due date of its open tasks), kept by the proposals_open_due trigger:
equal to the tasks' own minimum after every handling step, every kind of writer and concurrent replies;
the lists' ?overdue= reads it through its partial index and finds what the tasks say is overdue."""

import importlib
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Proposal
from proposals.selectors import overdue_assignments, overdue_proposals
from proposals.tests.test_api_handling import _registered
from tests.plans import index_plan
from zhengxie.accounts.models import Role
from zhengxie.workflow.services import handling_tasks_recompute_due

pytestmark = pytest.mark.django_db

OPEN = Assignment.OPEN_STATES


def tasks_minimum():
    """{proposal id: earliest open due date} as the tasks say, for every proposal."""
    earliest = (
        Assignment.objects.filter(proposal=OuterRef("pk"), state__in=OPEN)
        .order_by()
        .values("proposal")
        .annotate(d=Min("due_date"))
        .values("d")
    )
    return dict(Proposal.objects.annotate(d=Subquery(earliest)).values_list("pk", "d"))


def assert_kept():
    stored = dict(Proposal.objects.values_list("pk", "open_due_date"))
    assert stored == tasks_minimum()


def _assign_two(staff_user, proposal, department, other_department, first=30, second=50):
    """分办 to both departments, due in `first` and `second` days."""
    today = timezone.localdate()
    services.proposal_assign(
        actor=staff_user,
        proposal=proposal,
        assignments=[
            {"department": department.pk, "role": "separate", "due_date": str(today + timedelta(days=first))},
            {
                "department": other_department.pk,
                "role": "separate",
                "due_date": str(today + timedelta(days=second)),
            },
        ],
    )
    return (
        Assignment.objects.get(proposal=proposal, department=department),
        Assignment.objects.get(proposal=proposal, department=other_department),
    )


def _reply(user, task, result="A"):
    services.assignment_add_contact(
        actor=user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=user, assignment=task, result=result, content="已办理")


def test_every_handling_step_keeps_it(
    member, staff_user, plenary, department, other_department, department_user
):
    other_user = make_user("wjw_due", Role.DEPARTMENT, department=other_department)
    third = type(department).objects.create(name="第三承办单位")
    today = timezone.localdate()
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    untouched = _registered(member, staff_user, plenary, "另一件，没有交办")
    assert proposal.open_due_date is None
    assert_kept()

    mine, theirs = _assign_two(staff_user, proposal, department, other_department, 30, 60)
    proposal.refresh_from_db()
    assert proposal.open_due_date == today + timedelta(days=30)
    assert_kept()

    # 延期 approved: the earliest open due date moves with it.
    services.assignment_request_extension(
        actor=department_user, assignment=mine, reason="需要调研", due_date=str(today + timedelta(days=90))
    )
    assert_kept()
    services.assignment_resolve_extension(actor=staff_user, assignment=mine, approve=True)
    proposal.refresh_from_db()
    assert proposal.open_due_date == today + timedelta(days=60)
    assert_kept()

    # 申请调整 approved: the task is cancelled and a new one goes to a third department.
    services.assignment_request_adjustment(actor=other_user, assignment=theirs, reason="不属于本单位职责")
    assert_kept()
    services.assignment_resolve_adjustment(
        actor=staff_user, assignment=theirs, approve=True, department=third
    )
    assert_kept()
    third_user = make_user("third_due", Role.DEPARTMENT, department=third)
    replacement = Assignment.objects.get(proposal=proposal, department=third)

    # Both reply: nothing open, nothing overdue.
    for user, task in ((department_user, mine), (third_user, replacement)):
        services.assignment_accept(actor=user, assignment=task)
        _reply(user, task)
        assert_kept()
    proposal.refresh_from_db()
    assert proposal.open_due_date is None and proposal.state == Proposal.State.REPLIED

    # 不满意: the formal tasks reopen for a second round with a new due date.
    services.proposal_evaluate(
        actor=member.user, proposal=proposal, satisfaction="dissatisfied", comment="未落实"
    )
    proposal.refresh_from_db()
    assert proposal.open_due_date is not None and proposal.open_due_date > today
    assert_kept()

    # Around the services: a bulk state change, a due date typed in the admin, a deleted task.
    Assignment.objects.filter(proposal=proposal, department=department).update(
        due_date=today - timedelta(days=3)
    )
    assert_kept()
    Assignment.objects.filter(proposal=proposal, department=third).update(state="cancelled")
    assert_kept()
    extra = Assignment.objects.create(
        proposal=proposal,
        department=other_department,
        role="co",
        assigned_at=timezone.now(),
        assigned_by=staff_user,
        due_basis=today,
        due_date=today - timedelta(days=30),
    )
    proposal.refresh_from_db()
    assert proposal.open_due_date == today - timedelta(days=30)
    assert_kept()
    extra.delete()
    proposal.refresh_from_db()
    assert proposal.open_due_date == today - timedelta(days=3)
    assert_kept()
    assert Proposal.objects.get(pk=untouched.pk).open_due_date is None


def test_a_whole_row_save_does_not_write_back_a_stale_value(
    member, staff_user, plenary, department, other_department
):
    """The admin saves a proposal it read before a task changed: the trigger's value stays."""
    today = timezone.localdate()
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    _assign_two(staff_user, proposal, department, other_department, 20, 40)
    read_before = Proposal.objects.get(pk=proposal.pk)
    Assignment.objects.filter(proposal=proposal).update(due_date=today - timedelta(days=1))
    read_before.title = "改过的标题"
    read_before.save()
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.title == "改过的标题" and stored.open_due_date == today - timedelta(days=1)


def test_calendar_recompute_and_season_bulk_assign_keep_it(
    member, staff_user, plenary, department, other_department
):
    today = timezone.localdate()
    proposals = [_registered(member, staff_user, plenary, f"第{i}件") for i in range(3)]
    services.proposals_assign_bulk(
        actor=staff_user,
        items=[
            {"proposal": p.pk, "assignments": [{"department": department.pk, "role": "lead"}]}
            for p in proposals
        ],
    )
    assert all(d is not None for d in tasks_minimum().values())
    assert_kept()
    # The stored dates drift (as if computed under an older calendar); the recompute restores them.
    Assignment.objects.update(due_date=today + timedelta(days=400))
    assert_kept()
    assert handling_tasks_recompute_due(actor=staff_user, reason="节假日安排调整") == 3
    assert_kept()
    assert Proposal.objects.filter(open_due_date=today + timedelta(days=400)).count() == 0


def test_migration_fill_restores_it(member, staff_user, plenary, department, other_department):
    today = timezone.localdate()
    for i, days in enumerate((-5, 10)):
        p = _registered(member, staff_user, plenary, f"第{i}件")
        _assign_two(staff_user, p, department, other_department)
        Assignment.objects.filter(proposal=p, department=department).update(
            due_date=today + timedelta(days=days)
        )
    kept = dict(Proposal.objects.values_list("pk", "open_due_date"))
    Proposal.objects.update(open_due_date=None)  # a proposal-level update: the task trigger does not fire
    migration = importlib.import_module("proposals.migrations.0017_open_due_date")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert dict(Proposal.objects.values_list("pk", "open_due_date")) == kept
    assert_kept()


def test_overdue_filter_finds_what_the_tasks_say(
    api, member, staff_user, plenary, department, other_department
):
    today = timezone.localdate()
    late, on_time, replied_late = (_registered(member, staff_user, plenary, f"第{i}件") for i in range(3))
    for p in (late, on_time, replied_late):
        _assign_two(staff_user, p, department, other_department)
    Assignment.objects.filter(proposal=late, department=other_department).update(
        due_date=today - timedelta(days=1)
    )
    Assignment.objects.filter(proposal=replied_late).update(due_date=today - timedelta(days=9))
    Assignment.objects.filter(proposal=replied_late).update(state="replied")
    Assignment.objects.filter(proposal=on_time, department=department).update(due_date=today)  # due today

    by_tasks = set(
        Proposal.objects.filter(pk__in=overdue_assignments().values("proposal_id")).values_list(
            "pk", flat=True
        )
    )
    assert by_tasks == {late.pk}
    assert set(overdue_proposals(Proposal.objects.all()).values_list("pk", flat=True)) == by_tasks
    listed = api(staff_user).get("/api/v1/proposals/?overdue=true").json()
    assert [p["id"] for p in listed["results"]] == [late.pk] and listed["count"] == 1
    # Tomorrow the one due today is overdue too.
    tomorrow = overdue_proposals(Proposal.objects.all(), today=today + timedelta(days=1))
    assert set(tomorrow.values_list("pk", flat=True)) == {late.pk, on_time.pk}


def test_a_members_overdue_count_is_answered_by_the_index_alone(member, staff_user, plenary):
    """What a member may see (published, their own, what they co-sign) is checked on the index's entries:
    the capped count reads no proposal rows."""
    visible = Proposal.objects.filter(Q(is_published=True) | Q(proposer=member) | Q(pk__in=[1, 2, 3]))
    plan = index_plan(overdue_proposals(visible).order_by().values("pk")[:1001])
    assert "Index Only Scan using proposal_open_due_idx" in plan, plan


# --- two departments replying at once -----------------------------------------------------------------


def _waiting_on_a_lock_or_done(thread, timeout=10.0) -> bool:
    """True once another backend of this database waits on a lock or `thread` has finished (polled,
    bounded): either way the second writer has done what it does before the first commits."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if not thread.is_alive():
                return True
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
    return False


@pytest.mark.django_db(transaction=True)
def test_the_second_of_two_simultaneous_closings_sees_the_first(
    member, staff_user, plenary, department, other_department
):
    """Task A closes and its transaction is still open when task B closes: B's trigger waits for A's
    commit and then reads both closed, so the proposal ends with nothing open (not A's old date)."""
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    first, second = _assign_two(staff_user, proposal, department, other_department, 20, 40)
    updated, release = threading.Event(), threading.Event()
    errors = []

    def close(task, signal=None, wait=None):
        try:
            with transaction.atomic():
                Assignment.objects.filter(pk=task.pk).update(state="replied")
                if signal:
                    signal.set()
                if wait and not wait.wait(20):
                    raise TimeoutError("never released")
        except Exception as exc:  # noqa: BLE001 - checked below
            errors.append(exc)
        finally:
            connection.close()

    t1 = threading.Thread(target=close, args=(first, updated, release))
    t1.start()
    assert updated.wait(20)
    t2 = threading.Thread(target=close, args=(second,))
    t2.start()
    try:
        assert _waiting_on_a_lock_or_done(t2)
    finally:
        release.set()
        t1.join(30)
        t2.join(30)
    assert not errors
    assert Proposal.objects.get(pk=proposal.pk).open_due_date is None
    assert_kept()


@pytest.mark.django_db(transaction=True)
def test_two_departments_replying_together_through_the_service(
    member, staff_user, plenary, department, other_department, department_user
):
    from tests.test_duty_year_scores import _run_together

    other_user = make_user("wjw_together", Role.DEPARTMENT, department=other_department)
    today = timezone.localdate()
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    tasks = _assign_two(staff_user, proposal, department, other_department, 20, 40)
    for user, task in zip((department_user, other_user), tasks, strict=True):
        services.assignment_accept(actor=user, assignment=task)
        services.assignment_add_contact(
            actor=user, assignment=task, date=today, way="phone", summary="电话沟通"
        )
    outcomes = _run_together(
        [
            lambda u=user, t=task: services.assignment_reply(
                actor=u, assignment=t, result="A", content="已办理"
            )
            for user, task in zip((department_user, other_user), tasks, strict=True)
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.open_due_date is None and stored.state == Proposal.State.REPLIED
    assert_kept()


@pytest.mark.django_db(transaction=True)
def test_a_co_opinion_sent_while_the_proposer_rates_does_not_deadlock(
    member, staff_user, plenary, department, other_department, department_user
):
    """The 会办 unit holds its task and (through the trigger) then needs the proposal; the rating takes the
    proposal's tasks before the proposal, so it waits for the opinion instead of holding the proposal the
    opinion waits for (a deadlock: one of the two failed)."""
    co_user = make_user("co_rating", Role.DEPARTMENT, department=other_department)
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    services.proposal_assign(
        actor=staff_user,
        proposal=proposal,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": other_department.pk, "role": "co"},
        ],
    )
    lead = Assignment.objects.get(proposal=proposal, role="lead")
    co = Assignment.objects.get(proposal=proposal, role="co")
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_accept(actor=co_user, assignment=co)
    _reply(department_user, lead)  # the co opinion is still out: only a reminder by default
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.REPLIED

    holding, release = threading.Event(), threading.Event()
    errors = []

    def co_opinion_in_two_steps():
        """assignment_co_opinion's own order: its task first, then the change that needs the proposal."""
        try:
            with transaction.atomic():
                list(Assignment.objects.select_for_update().filter(pk=co.pk))
                holding.set()
                if not release.wait(20):
                    raise TimeoutError("never released")
                Assignment.objects.filter(pk=co.pk).update(state="replied", replied_at=timezone.now())
        except Exception as exc:  # noqa: BLE001 - checked below
            errors.append(exc)
        finally:
            connection.close()

    def rate():
        try:
            services.proposal_evaluate(actor=member.user, proposal=proposal.pk, satisfaction="satisfied")
        except Exception as exc:  # noqa: BLE001 - checked below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=co_opinion_in_two_steps)
    first.start()
    assert holding.wait(20)
    second = threading.Thread(target=rate)
    second.start()
    try:
        assert _waiting_on_a_lock_or_done(second)  # the rating waits for the co task
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert not errors, errors
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.state == Proposal.State.CLOSED and stored.open_due_date is None
    assert_kept()


@pytest.mark.django_db(transaction=True)
def test_a_task_saved_without_changing_its_due_date_or_openness_does_not_wait_for_its_proposal(
    member, staff_user, plenary, department, other_department
):
    """A whole-row save of a task (the admin, a statistics fix) while someone holds the proposal: the trigger
    sees nothing it keeps has changed and takes no lock, so the save does not wait."""
    proposal = _registered(member, staff_user, plenary, "关于公交线路的建议")
    task, _ = _assign_two(staff_user, proposal, department, other_department)
    holding, release = threading.Event(), threading.Event()

    def hold_the_proposal():
        try:
            with transaction.atomic():
                list(Proposal.objects.select_for_update().filter(pk=proposal.pk))
                holding.set()
                release.wait(20)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_proposal)
    holder.start()
    try:
        assert holding.wait(20)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            task.refresh_from_db()
            task.co_opinion = "补充说明"
            task.save()  # every column, state and due date included, unchanged
    finally:
        release.set()
        holder.join(30)
    assert Assignment.objects.get(pk=task.pk).co_opinion == "补充说明"
    assert_kept()
