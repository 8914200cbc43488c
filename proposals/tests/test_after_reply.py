"""Issue 20, after the reply: 回访 (and revisit_rate), 重点提案 rounds approved in a 主席会议 with 领办/批办/
联合督办 and duty `proposal_key`, 优秀提案 (duty `proposal_excellent`, DOCX), 成果转化, and 民主评议."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import make_user
from consultations.models import Meeting
from members.models import DutyRecord
from proposals import after_selectors, services, stats
from proposals.assessment import department_assessment
from proposals.models import (
    AssessmentItem,
    Assignment,
    DepartmentReview,
    Proposal,
    ProposalCategory,
    ProposalStatCount,
    ReviewRound,
)
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db
State = Proposal.State


def _proposal(member, staff_user, plenary, title="关于加强校园周边交通安全的建议", cosigners=()):
    p = services.proposal_create(
        actor=member.user,
        title=title,
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="joint" if cosigners else "individual",
        cosigners=[c.pk for c in cosigners],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    for c in cosigners:
        services.proposal_cosign(actor=c.user, proposal=p, agree=True)
    return services.proposal_register(actor=staff_user, proposal=p)


def _close(proposal, staff_user, department, department_user, member):
    services.proposal_assign(
        actor=staff_user, proposal=proposal, assignments=[{"department": department.pk, "role": "lead"}]
    )
    lead = Assignment.objects.get(proposal=proposal, role="lead")
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_add_contact(
        actor=department_user, assignment=lead, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=department_user, assignment=lead, result="A", content="已落实")
    services.proposal_evaluate(actor=member.user, proposal=proposal, satisfaction="satisfied")
    proposal.refresh_from_db()
    assert proposal.state == State.CLOSED
    return proposal


@pytest.fixture
def registered(member, other_member, staff_user, plenary):
    return _proposal(member, staff_user, plenary, cosigners=[other_member])


@pytest.fixture
def closed(registered, staff_user, department, department_user, member):
    return _close(registered, staff_user, department, department_user, member)


@pytest.fixture
def chair_meeting(staff_user):
    start = timezone.now()
    return Meeting.objects.create(
        title="第十五届主席会议第8次会议",
        type="chair_meeting",
        start=start,
        end=start + timedelta(hours=2),
        place="机关三楼会议室",
        created_by=staff_user,
    )


def _review_item():
    """The seeded 考核 item (seeded again here: a transactional test elsewhere may have flushed the table)."""
    from importlib import import_module

    from django.apps import apps

    import_module("proposals.migrations.0008_after_reply").seed_review_item(apps, None)
    return AssessmentItem.objects.get(code="member_review")


def _duty(kind, proposal):
    return {
        (r.member.name, str(r.share))
        for r in DutyRecord.objects.filter(kind=kind, object_id=proposal.pk).select_related("member")
    }


# --- 回访 -------------------------------------------------------------------------------------------


def test_revisit_after_close_counts_in_rate_queue_and_paragraph(closed, staff_user, member):
    today = timezone.localdate()
    assert list(after_selectors.revisit_queue()) == [closed]
    before = stats.proposal_stats(stats.Scope())
    assert (before["closed"], before["revisited"], before["revisit_rate"]) == (1, 0, 0.0)
    services.proposal_revisit(
        actor=staff_user, proposal=closed, date=today, way="phone", content="电话回访", proposer_view="满意"
    )
    after = stats.proposal_stats(stats.Scope())
    assert (after["closed"], after["revisited"], after["revisit_rate"]) == (1, 1, 100.0)
    assert list(after_selectors.revisit_queue()) == []
    assert "委员满意率、回访率均为100%" in stats.summary_text(stats.Scope(), after)
    # the trigger kept the rollup exact: a rebuild from the rows gives the same figures
    stats.rebuild_rollups()
    assert stats.proposal_stats(stats.Scope()) == after
    assert ProposalStatCount.objects.filter(revisited=True, state="closed").exists()
    assert AuditEntry.objects.filter(action="proposal_revisit", object_id=str(closed.pk)).exists()
    assert Notification.objects.filter(recipient=member.user, title__contains="提案回访").exists()
    # a second revisit is recorded but counts once
    services.proposal_revisit(
        actor=staff_user, proposal=closed, date=today, way="written", content="书面回访"
    )
    assert stats.proposal_stats(stats.Scope())["revisited"] == 1


def test_revisit_refusals(registered, closed, staff_user, member, department_user):
    today = timezone.localdate()
    for actor in (member.user, department_user):
        with pytest.raises(PermissionDenied):
            services.proposal_revisit(actor=actor, proposal=closed, date=today, way="phone", content="x")
    with pytest.raises(InvalidInput):
        services.proposal_revisit(actor=staff_user, proposal=closed, date=today, way="fax", content="x")
    with pytest.raises(InvalidInput):
        services.proposal_revisit(actor=staff_user, proposal=closed, date=today, way="phone", content=" ")
    with pytest.raises(InvalidInput):
        services.proposal_revisit(
            actor=staff_user, proposal=closed, date=today + timedelta(days=1), way="phone", content="x"
        )


def test_revisit_only_when_closed(registered, staff_user):
    with pytest.raises(TransitionNotAllowed):
        services.proposal_revisit(
            actor=staff_user, proposal=registered, date=timezone.localdate(), way="phone", content="x"
        )


# --- 重点提案 -----------------------------------------------------------------------------------------


def test_mark_key_records_duty_and_unmark_withdraws_it(registered, staff_user, leader_user):
    services.proposal_mark_key(actor=staff_user, proposal=registered, leader=leader_user.pk)
    assert _duty("proposal_key", registered) == {("李委员", "0.5000"), ("赵委员", "0.5000")}
    services.proposal_mark_key(actor=staff_user, proposal=registered, leader=leader_user.pk)  # idempotent
    assert [k.user_id for k in registered.key_leaders.all()] == [leader_user.pk]
    assert DutyRecord.objects.filter(kind="proposal_key").count() == 2
    services.proposal_mark_key(actor=staff_user, proposal=registered, leader=None, is_key=False)
    assert not DutyRecord.objects.filter(kind="proposal_key").exists()


def test_key_round_approved_in_a_chair_meeting(
    registered, member, staff_user, plenary, chair_meeting, leader_user, department_user
):
    other = _proposal(member, staff_user, plenary, title="关于发展夜间经济的建议")
    round_ = services.key_round_create(actor=staff_user, year=2026)
    with pytest.raises(InvalidInput):
        services.key_round_create(actor=staff_user, year=2026)
    services.key_round_add_candidate(actor=staff_user, round=round_, proposal=registered, reason="群众关注")
    candidate = services.key_round_add_candidate(actor=staff_user, round=round_, proposal=other)
    with pytest.raises(InvalidInput):
        services.key_round_add_candidate(actor=staff_user, round=round_, proposal=other)
    services.key_round_remove_candidate(actor=staff_user, candidate=candidate)
    start = timezone.now()
    forum = Meeting.objects.create(
        title="座谈会",
        type="forum",
        start=start,
        end=start + timedelta(hours=1),
        place="x",
        created_by=staff_user,
    )
    with pytest.raises(InvalidInput):
        services.key_round_approve(actor=staff_user, round=round_, meeting=forum.pk)
    with pytest.raises(PermissionDenied):
        services.key_round_approve(actor=leader_user, round=round_, meeting=chair_meeting.pk)
    services.key_round_approve(actor=staff_user, round=round_, meeting=chair_meeting.pk)
    round_.refresh_from_db()
    assert round_.state == "approved" and round_.meeting == chair_meeting
    registered.refresh_from_db()
    other.refresh_from_db()
    assert registered.is_key and not other.is_key
    assert _duty("proposal_key", registered) == {("李委员", "0.5000"), ("赵委员", "0.5000")}
    with pytest.raises(TransitionNotAllowed):
        services.key_round_add_candidate(actor=staff_user, round=round_, proposal=other)

    # 领办: a leader with an account and a government leader without one
    services.key_leader_add(actor=staff_user, proposal=registered, user=leader_user.pk, post="政协主席")
    services.key_leader_add(actor=staff_user, proposal=registered, name="王某某", post="副市长")
    with pytest.raises(InvalidInput):
        services.key_leader_add(actor=staff_user, proposal=registered, name=" ")
    with pytest.raises(InvalidInput):
        services.key_leader_add(actor=staff_user, proposal=registered, user=department_user.pk)
    assert [(k.name, k.post, k.user_id) for k in registered.key_leaders.all()] == [
        ("刘主席", "政协主席", leader_user.pk),
        ("王某某", "副市长", None),
    ]
    assert Notification.objects.filter(recipient=leader_user, title__contains="领办重点提案").exists()
    # 批办 and 联合督办
    services.key_instruction_add(
        actor=staff_user,
        proposal=registered,
        leader="李某",
        post="市委书记",
        content="请认真研究办理",
        date="2026-03-01",
    )
    services.joint_supervision_add(
        actor=staff_user, proposal=registered, office="市政府督查室", date="2026-04-01", note="实地督办"
    )
    data = after_selectors.proposal_after_reply(registered)
    assert [i.leader for i in data["key_instructions"]] == ["李某"]
    assert [j.office for j in data["joint_supervisions"]] == ["市政府督查室"]
    # not a key proposal: refused
    with pytest.raises(TransitionNotAllowed):
        services.key_instruction_add(
            actor=staff_user, proposal=other, leader="李某", content="x", date="2026-03-01"
        )
    with pytest.raises(TransitionNotAllowed):
        services.joint_supervision_add(
            actor=staff_user, proposal=other, office="x", date="2026-03-01", note="x"
        )
    assert AuditEntry.objects.filter(action="key_round_approve").count() == 1


# --- 优秀提案 and 成果转化 ------------------------------------------------------------------------------


def test_award_records_duty_and_exports_docx(closed, staff_user, member, department):
    from docx import Document

    from proposals.documents_after_reply import awards_docx

    services.proposal_award(
        actor=staff_user, proposal=closed, year=2026, title="优秀提案", citation="推动落实"
    )
    with pytest.raises(InvalidInput):
        services.proposal_award(actor=staff_user, proposal=closed, year=2026, title="优秀提案")
    with pytest.raises(PermissionDenied):
        services.proposal_award(actor=member.user, proposal=closed, year=2025, title="优秀提案")
    assert _duty("proposal_excellent", closed) == {("李委员", "0.5000"), ("赵委员", "0.5000")}
    assert Notification.objects.filter(recipient=member.user, title__contains="优秀提案").exists()
    services.department_award(actor=staff_user, department=department, year=2026, title="优秀承办单位")
    document = Document(io.BytesIO(awards_docx(2026)))
    proposals_table, units_table = document.tables
    assert [c.text for c in proposals_table.rows[1].cells] == [
        closed.number,
        closed.title,
        "李委员",
        "优秀提案",
        "推动落实",
    ]
    assert units_table.rows[1].cells[0].text == "市教育局"


def test_outcomes_by_staff_or_the_assigned_department(
    closed, registered, staff_user, department_user, other_department, member
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    outcome = services.proposal_add_outcome(
        actor=department_user,
        proposal=closed,
        date="2026-05-01",
        kind="policy",
        content="出台《校园周边交通管理办法》",
        document=SimpleUploadedFile("办法.pdf", b"%PDF-1.4 x"),
    )
    assert outcome.department_id == department_user.department_id and outcome.document.name.endswith(".pdf")
    services.proposal_add_outcome(
        actor=staff_user, proposal=closed, date="2026-05-02", kind="funding", content="拨款"
    )
    stranger = make_user("dept9", Role.DEPARTMENT, department=other_department)
    with pytest.raises(PermissionDenied):
        services.proposal_add_outcome(
            actor=stranger, proposal=closed, date="2026-05-01", kind="policy", content="x"
        )
    with pytest.raises(PermissionDenied):
        services.proposal_add_outcome(
            actor=member.user, proposal=closed, date="2026-05-01", kind="policy", content="x"
        )
    with pytest.raises(InvalidInput):
        services.proposal_add_outcome(
            actor=staff_user, proposal=closed, date="2026-05-01", kind="gift", content="x"
        )
    figures = stats.proposal_stats(stats.Scope())
    assert figures["outcomes"] == 2 and figures["outcomes_by_kind"]["policy"] == 1
    assert "成果转化2项" in stats.summary_text(stats.Scope(), figures)
    assert Notification.objects.filter(recipient=member.user, title__contains="成果转化").exists()


def test_outcome_only_after_a_reply(member, staff_user, plenary):
    p = _proposal(member, staff_user, plenary, title="关于另一件事的建议")
    with pytest.raises(TransitionNotAllowed):
        services.proposal_add_outcome(
            actor=staff_user, proposal=p, date="2026-05-01", kind="policy", content="x"
        )


# --- 民主评议 ---------------------------------------------------------------------------------------


def test_member_review_only_of_own_departments_and_results_feed_the_assessment(
    closed, member, other_member, staff_user, department, other_department, make_member
):
    year = closed.assignments.first().stat_year
    round_ = services.review_round_create(actor=staff_user, year=year)
    with pytest.raises(TransitionNotAllowed):
        services.department_review_submit(
            actor=member.user, round=round_, department=department, attitude="satisfied", result="satisfied"
        )
    services.review_round_open(actor=staff_user, round=round_)
    assert Notification.objects.filter(recipient=other_member.user, title=round_.title).exists()
    assert [f["department"] for f in after_selectors.member_review_forms(member, round_)] == [department]
    services.department_review_submit(
        actor=member.user,
        round=round_,
        department=department,
        attitude="satisfied",
        result="basically_satisfied",
    )
    # answering again replaces the answer
    services.department_review_submit(
        actor=member.user, round=round_, department=department, attitude="satisfied", result="satisfied"
    )
    services.department_review_submit(
        actor=other_member.user,
        round=round_,
        department=department.pk,
        attitude="dissatisfied",
        result="satisfied",
    )
    assert DepartmentReview.objects.count() == 2
    with pytest.raises(PermissionDenied):  # never handled their proposals
        services.department_review_submit(
            actor=member.user,
            round=round_,
            department=other_department,
            attitude="satisfied",
            result="satisfied",
        )
    outsider = make_member("外委员")
    with pytest.raises(PermissionDenied):
        services.department_review_submit(
            actor=outsider.user, round=round_, department=department, attitude="satisfied", result="satisfied"
        )
    with pytest.raises(PermissionDenied):
        services.department_review_submit(
            actor=staff_user, round=round_, department=department, attitude="satisfied", result="satisfied"
        )
    # members see their own form only
    forms = after_selectors.member_review_forms(other_member, round_)
    assert [f["review"].attitude for f in forms] == ["dissatisfied"]
    (row,) = after_selectors.review_results(round_)
    assert row["forms"] == 2
    assert row["attitude"] == {"satisfied": 1, "basically_satisfied": 0, "dissatisfied": 1}
    assert str(row["score"]) == "75.0"  # (1 + (0+1)/2) / 2
    # the 考核 item: inactive by default; turned on with weight 20 → 20 × 0.75
    item = _review_item()
    assert not item.is_active
    item.is_active, item.weight = True, 20
    item.save()
    _, rows = department_assessment(year)
    (scored,) = [r for r in rows if r.department == department.pk]
    assert str(scored.scores["member_review"]) == "15.0"
    services.review_round_close(actor=staff_user, round=round_)
    assert ReviewRound.objects.get(pk=round_.pk).state == "closed"
    with pytest.raises(TransitionNotAllowed):
        services.department_review_submit(
            actor=member.user, round=round_, department=department, attitude="satisfied", result="satisfied"
        )
    # the audit says who evaluated whom, never the answer
    entry = AuditEntry.objects.filter(action="department_review_submit").first()
    assert "attitude" not in entry.detail and "result" not in entry.detail


def test_department_rows_have_no_review_item_without_a_round(closed):
    year = closed.assignments.first().stat_year
    item = _review_item()
    item.is_active, item.weight = True, 10
    item.save()
    _, rows = department_assessment(year)
    # replied something but no evaluations: full weight like the other rate items with nothing to measure
    assert str(rows[0].scores["member_review"]) == "10.0"
