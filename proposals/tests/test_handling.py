"""Handling: 交办, signing, 面商, 会办, replies, extension and adjustment, rating, re-handling, 督办, 公开."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Evaluation, Proposal, ProposalCategory, Reply
from zhengxie.accounts.models import Department, Role
from zhengxie.notifications.models import Notification
from zhengxie.workflow.calendar import due_date
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.services import work_calendar_day_set

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture
def registered(member, other_member, staff_user, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def co_department(db):
    return Department.objects.create(name="市公安局交警支队", code="JJ")


@pytest.fixture
def co_user(co_department):
    return make_user("jj1", Role.DEPARTMENT, department=co_department)


@pytest.fixture
def assigned(registered, staff_user, department, co_department, department_user, co_user):
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[
            {"department": department.pk, "role": "lead"},
            {"department": co_department.pk, "role": "co"},
        ],
    )
    lead = Assignment.objects.get(proposal=registered, role="lead")
    co = Assignment.objects.get(proposal=registered, role="co")
    return registered, lead, co


def _reply_ready(lead, department_user):
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_add_contact(
        actor=department_user,
        assignment=lead,
        date=timezone.localdate(),
        way="face_to_face",
        summary="当面听取意见",
    )


def test_assign_lead_and_co_sets_due_dates_from_the_policy(assigned, department_user, co_user):
    proposal, lead, co = assigned
    today = timezone.localdate()
    assert Proposal.objects.get(pk=proposal.pk).state == State.ASSIGNED
    assert (lead.due_basis, lead.due_span, lead.due_date) == (today, "3m", due_date(today, "3m").date)
    assert co.due_span == "1m" and co.due_date == due_date(today, "1m").date
    assert lead.state == co.state == "pending"
    assert Notification.objects.filter(recipient=department_user, title__contains="新交办提案").exists()
    assert Notification.objects.filter(recipient=co_user, title__contains="新交办提案").exists()


@pytest.mark.parametrize(
    "roles,message",
    [
        (["co"], "会办单位须有主办单位"),
        (["lead", "lead"], "只能有一个主办单位"),
        (["lead", "separate"], "分办不能与主办"),
        (["separate"], "分办须有两个或以上单位"),
        (["boss"], "办理方式"),
    ],
)
def test_bad_assignments_are_refused_and_change_nothing(
    registered, staff_user, department, co_department, roles, message
):
    depts = [department, co_department]
    with pytest.raises(InvalidInput, match=message):
        services.proposal_assign(
            actor=staff_user,
            proposal=registered,
            assignments=[{"department": depts[i].pk, "role": r} for i, r in enumerate(roles)],
        )
    assert not Assignment.objects.exists()
    assert Proposal.objects.get(pk=registered.pk).state == State.REGISTERED


def test_unknown_department_is_refused(registered, staff_user):
    with pytest.raises(InvalidInput, match="承办单位不存在"):
        services.proposal_assign(
            actor=staff_user, proposal=registered, assignments=[{"department": 9999, "role": "lead"}]
        )


def test_only_the_own_department_signs(assigned, co_user, department_user):
    proposal, lead, _ = assigned
    with pytest.raises(PermissionDenied):
        services.assignment_accept(actor=co_user, assignment=lead)
    services.assignment_accept(actor=department_user, assignment=lead)
    assert Assignment.objects.get(pk=lead.pk).state == "accepted"
    assert Proposal.objects.get(pk=proposal.pk).state == State.IN_PROGRESS
    with pytest.raises(TransitionNotAllowed):
        services.assignment_accept(actor=department_user, assignment=lead)


def test_reply_refusals(assigned, department_user, co_user):
    _, lead, co = assigned
    with pytest.raises(TransitionNotAllowed, match="请先签收"):
        services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    services.assignment_accept(actor=department_user, assignment=lead)
    with pytest.raises(InvalidInput, match="面商记录"):
        services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    with pytest.raises(InvalidInput, match="A、B 或 C"):
        services.assignment_reply(actor=department_user, assignment=lead, result="D", content="x")
    services.assignment_accept(actor=co_user, assignment=co)
    with pytest.raises(TransitionNotAllowed, match="会办单位不直接答复"):
        services.assignment_reply(actor=co_user, assignment=co, result="A", content="x")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.assignment_add_contact(
            actor=department_user,
            assignment=lead,
            date=timezone.localdate() + timedelta(days=1),
            way="phone",
            summary="x",
        )
    with pytest.raises(InvalidInput, match="答复函只能是"):
        services.assignment_reply(
            actor=department_user,
            assignment=lead,
            result="A",
            content="x",
            letter=SimpleUploadedFile("a.exe", b"MZ"),
        )
    assert not Reply.objects.exists()


def test_full_cycle_with_co_opinion_rehandling_and_close(
    assigned, department_user, co_user, member, other_member
):
    proposal, lead, co = assigned
    services.assignment_accept(actor=co_user, assignment=co)
    services.assignment_co_opinion(actor=co_user, assignment=co, content="建议在学校周边增设信号灯")
    assert Notification.objects.filter(recipient=department_user, title__contains="会办意见").exists()
    _reply_ready(lead, department_user)
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 reply")
    reply = services.assignment_reply(
        actor=department_user,
        assignment=lead,
        result="B",
        content="已列入明年计划",
        signer="局长 王某",
        letter=letter,
    )
    assert reply.letter.name.endswith(".pdf")
    assert Proposal.objects.get(pk=proposal.pk).state == State.REPLIED
    assert Notification.objects.filter(recipient=co_user, title__contains="答复抄送").exists()
    # a co-signer's rating is recorded but does not decide
    services.proposal_evaluate(actor=other_member.user, proposal=proposal, satisfaction="satisfied")
    assert Proposal.objects.get(pk=proposal.pk).state == State.REPLIED
    services.proposal_evaluate(
        actor=member.user, proposal=proposal, satisfaction="dissatisfied", comment="未落实"
    )
    p = Proposal.objects.get(pk=proposal.pk)
    lead.refresh_from_db()
    assert p.state == State.REHANDLING and p.handling_round == 2
    assert lead.state == "accepted" and lead.handling_round == 2 and lead.due_span == "1m"
    with pytest.raises(TransitionNotAllowed):
        services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="satisfied")
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已增设护学岗")
    assert Proposal.objects.get(pk=proposal.pk).state == State.REPLIED
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="satisfied")
    p = Proposal.objects.get(pk=proposal.pk)
    assert p.state == State.CLOSED and p.closed_at is not None
    assert list(Evaluation.objects.filter(member=member).values_list("handling_round", "satisfaction")) == [
        (1, "dissatisfied"),
        (2, "satisfied"),
    ]


def test_second_dissatisfied_closes(assigned, department_user, member):
    proposal, lead, _ = assigned
    _reply_ready(lead, department_user)
    services.assignment_reply(actor=department_user, assignment=lead, result="C", content="暂不具备条件")
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="dissatisfied")
    services.assignment_reply(actor=department_user, assignment=lead, result="C", content="仍不具备条件")
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="dissatisfied")
    assert Proposal.objects.get(pk=proposal.pk).state == State.CLOSED


def test_only_proposer_and_cosigners_rate(assigned, department_user, make_member, staff_user):
    proposal, lead, _ = assigned
    _reply_ready(lead, department_user)
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    stranger = make_member("路人乙")
    with pytest.raises(PermissionDenied):
        services.proposal_evaluate(actor=stranger.user, proposal=proposal, satisfaction="satisfied")
    with pytest.raises(PermissionDenied):
        services.proposal_evaluate(actor=staff_user, proposal=proposal, satisfaction="satisfied")
    assert not Evaluation.objects.exists()


def test_separate_units_each_reply_before_the_proposal_is_replied(
    registered, staff_user, department, co_department, department_user, co_user
):
    services.proposal_assign(
        actor=staff_user,
        proposal=registered,
        assignments=[
            {"department": department.pk, "role": "separate"},
            {"department": co_department.pk, "role": "separate"},
        ],
    )
    first, second = Assignment.objects.filter(proposal=registered).order_by("pk")
    for task, user in ((first, department_user), (second, co_user)):
        _reply_ready(task, user)
    services.assignment_reply(actor=department_user, assignment=first, result="A", content="甲单位答复")
    assert Proposal.objects.get(pk=registered.pk).state == State.IN_PROGRESS
    services.assignment_reply(actor=co_user, assignment=second, result="B", content="乙单位答复")
    assert Proposal.objects.get(pk=registered.pk).state == State.REPLIED


def test_extension_moves_due_only_on_approval_and_never_past_cap(assigned, department_user, staff_user):
    _, lead, _ = assigned
    assigned_on = timezone.localtime(lead.assigned_at).date()
    from zhengxie.workflow.calendar import add_months

    with pytest.raises(InvalidInput, match="不能晚于"):
        services.assignment_request_extension(
            actor=department_user,
            assignment=lead,
            reason="情况复杂",
            due_date=add_months(assigned_on, 6) + timedelta(days=1),
        )
    wanted = add_months(assigned_on, 5)
    services.assignment_request_extension(
        actor=department_user, assignment=lead, reason="情况复杂", due_date=wanted
    )
    lead.refresh_from_db()
    assert lead.extension_state == "pending" and lead.due_date != wanted
    with pytest.raises(PermissionDenied):
        services.assignment_resolve_extension(actor=department_user, assignment=lead, approve=True)
    services.assignment_resolve_extension(actor=staff_user, assignment=lead, approve=True)
    lead.refresh_from_db()
    assert (lead.due_date, lead.due_span, lead.extension_state) == (wanted, "", "approved")


def test_adjustment_within_window_approved_goes_to_new_department(
    assigned, department_user, staff_user, other_department
):
    proposal, lead, _ = assigned
    services.assignment_request_adjustment(actor=department_user, assignment=lead, reason="不属于本单位职责")
    with pytest.raises(PermissionDenied):
        services.assignment_resolve_adjustment(
            actor=department_user, assignment=lead, approve=True, department=other_department.pk
        )
    new = services.assignment_resolve_adjustment(
        actor=staff_user, assignment=lead, approve=True, department=other_department.pk
    )
    lead.refresh_from_db()
    assert lead.state == "cancelled" and lead.replaced_by == new
    assert (new.department, new.role, new.state) == (other_department, "lead", "pending")


def test_adjustment_refused_goes_back_and_after_window_is_refused(assigned, department_user, staff_user):
    _, lead, _ = assigned
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_request_adjustment(actor=department_user, assignment=lead, reason="职责不符")
    services.assignment_resolve_adjustment(actor=staff_user, assignment=lead, approve=False)
    assert Assignment.objects.get(pk=lead.pk).state == "accepted"
    Assignment.objects.filter(pk=lead.pk).update(assigned_at=timezone.now() - timedelta(days=30))
    with pytest.raises(InvalidInput, match="申请调整期限"):
        services.assignment_request_adjustment(actor=department_user, assignment=lead, reason="职责不符")
    assert Assignment.objects.get(pk=lead.pk).state == "accepted"


def test_close_unrated_only_after_the_window(assigned, department_user, staff_user):
    proposal, lead, _ = assigned
    _reply_ready(lead, department_user)
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已解决")
    with pytest.raises(TransitionNotAllowed, match="测评期"):
        services.proposal_close_unrated(actor=staff_user, proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(replied_at=timezone.now() - timedelta(days=40))
    p = services.proposal_close_unrated(actor=staff_user, proposal=proposal)
    assert p.state == State.CLOSED and p.closed_unrated


def test_key_supervision_and_publication(assigned, staff_user, leader_user, member, department_user):
    proposal, _, _ = assigned
    with pytest.raises(InvalidInput, match="领办领导"):
        services.proposal_mark_key(actor=staff_user, proposal=proposal, leader=staff_user.pk)
    with pytest.raises(PermissionDenied):
        services.proposal_mark_key(actor=member.user, proposal=proposal, leader=leader_user.pk)
    p = services.proposal_mark_key(actor=staff_user, proposal=proposal, leader=leader_user.pk)
    assert p.is_key and p.key_leader == leader_user
    services.proposal_supervise(actor=leader_user, proposal=proposal, kind="urge", note="请加快办理")
    assert Notification.objects.filter(recipient=department_user, title__contains="催办").exists()
    services.proposal_set_publish_opt_out(actor=member.user, proposal=proposal, opt_out=True)
    with pytest.raises(TransitionNotAllowed, match="不公开"):
        services.proposal_publish(actor=staff_user, proposal=proposal)
    services.proposal_set_publish_opt_out(actor=member.user, proposal=proposal, opt_out=False)
    assert services.proposal_publish(actor=staff_user, proposal=proposal).is_published


def test_calendar_change_recomputes_open_due_dates_and_tells_the_department(
    assigned, department_user, staff_user
):
    _, lead, _ = assigned
    old = lead.due_date
    work_calendar_day_set(actor=staff_user, day=old, is_workday=False, name="临时休息")
    lead.refresh_from_db()
    assert lead.due_date > old
    assert Notification.objects.filter(recipient=department_user, title__contains="办理期限调整").exists()
