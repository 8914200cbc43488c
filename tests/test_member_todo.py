"""The member home's 待办 (co-sign invitations, replies to rate, meeting invitations, returned drafts) with
counts and a constant query count, and 待测评 on the member's proposal list."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import Attendance, Meeting
from proposals.models import Cosigner, Evaluation, Proposal, ProposalCategory

pytestmark = pytest.mark.django_db
State = Proposal.State


def _proposal(owner, staff, plenary, state, title, **extra):
    return Proposal.objects.create(
        title=title,
        content="正文",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
        proposer=owner,
        created_by=staff,
        term=plenary.term,
        plenary=plenary,
        state=state,
        submitted_at=timezone.now(),
        **extra,
    )


def _meeting(staff, title, days=3):
    start = timezone.now() + timedelta(days=days)
    return Meeting.objects.create(
        title=title,
        type=Meeting._meta.get_field("type").choices[0][0],
        start=start,
        end=start + timedelta(hours=2),
        place="政协会议室",
        created_by=staff,
    )


def _todo_for(member, other_member, staff_user, plenary, n=1):
    for i in range(n):
        invited = _proposal(other_member, staff_user, plenary, State.AWAITING_COSIGNERS, f"邀请联名{i}")
        Cosigner.objects.create(proposal=invited, member=member, status=Cosigner.Status.PENDING)
        _proposal(member, staff_user, plenary, State.REPLIED, f"待测评{i}", replied_at=timezone.now())
        joint = _proposal(other_member, staff_user, plenary, State.REPLIED, f"联名待测评{i}")
        Cosigner.objects.create(proposal=joint, member=member, status=Cosigner.Status.CONFIRMED)
        _proposal(member, staff_user, plenary, State.RETURNED, f"退回{i}", return_reason="请补充数据")
        Attendance.objects.create(meeting=_meeting(staff_user, f"协商会{i}"), member=member)
    # Not to-dos: a rated reply, an answered invitation, a past meeting, someone else's return.
    rated = _proposal(member, staff_user, plenary, State.REPLIED, "已测评")
    Evaluation.objects.create(proposal=rated, member=member, handling_round=1, satisfaction="satisfied")
    Attendance.objects.create(meeting=_meeting(staff_user, "已回复会"), member=member, reply="attend")
    Attendance.objects.create(meeting=_meeting(staff_user, "过去的会", days=-3), member=member)
    _proposal(other_member, staff_user, plenary, State.RETURNED, "别人的退回")


def _home(client, member):
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_member_home_lists_what_waits_with_counts(client, member, other_member, staff_user, plenary):
    body, _ = _home(client, member)
    assert "暂无待办事项" in body
    _todo_for(member, other_member, staff_user, plenary)
    body, _ = _home(client, member)
    assert body.index('data-testid="member-todo"') < body.index("我的信息")
    assert 'data-testid="todo-total">5<' in body
    for key, label, title in (
        ("cosign", "联名邀请待答复", "邀请联名0"),
        ("rate", "答复待测评", "待测评0"),
        ("meeting", "会议邀请待回复", "协商会0"),
        ("returned", "退回修改的提案", "退回0"),
    ):
        section = body.split(f'data-testid="todo-{key}"', 1)[1].split("</ul>", 1)[0]
        assert label in section and title in section
    rate = body.split('data-testid="todo-rate"', 1)[1].split("</ul>", 1)[0]
    assert 'data-testid="todo-count">2<' in rate and "联名待测评0" in rate
    for not_todo in ("已测评", "已回复会", "过去的会", "别人的退回"):
        assert not_todo not in body


def test_member_home_query_count_is_constant(client, member, other_member, staff_user, plenary):
    _todo_for(member, other_member, staff_user, plenary, n=1)
    _, few = _home(client, member)
    _todo_for(member, other_member, staff_user, plenary, n=8)
    body, many = _home(client, member)
    assert many == few
    assert "另有" in body  # more than five of a kind: the rest behind a link
    # the count is of all that wait (the page lists five): the same as the proposal list's 待测评 flag
    from proposals.models import Proposal
    from proposals.todo import awaiting_rating_q

    waiting = Proposal.objects.filter(awaiting_rating_q(member)).count()
    rate = body.split('data-testid="todo-rate"', 1)[1].split("</ul>", 1)[0]
    assert waiting > 5 and f'data-testid="todo-count">{waiting}<' in rate


def test_proposal_list_marks_awaiting_rating(client, member, other_member, staff_user, plenary):
    _todo_for(member, other_member, staff_user, plenary)
    client.force_login(member.user)
    body = client.get("/proposals/").content.decode()
    assert body.count('data-testid="awaiting-rating"') == 2
    row = body.split("已测评", 1)[0].rsplit('class="list-group-item', 1)[1]
    assert "awaiting-rating" not in row


def test_proposal_list_reads_its_rows_by_id(client, member, other_member, staff_user, plenary):
    """The 待测评 flag is set on the page's rows after paging, so the rows query is by id alone (as an
    annotation it kept the list's filter: every proposal the member co-signed, planned again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _todo_for(member, other_member, staff_user, plenary)
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/proposals/").content.decode()
    assert body.count('data-testid="awaiting-rating"') == 2
    rows = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "proposals_proposal"."id", ')
    ]
    assert rows and all(
        '"proposals_proposal"."proposer_id" =' not in sql.split("WHERE", 1)[1] for sql in rows
    )
