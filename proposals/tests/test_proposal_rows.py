"""The staff proposal tables' rows and the state badge (proposals/templatetags/proposal_rows.py): what each
row shows, every stored text escaped, and the badge of every state."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from proposals import search
from proposals.models import Assignment, Cosigner, Proposal, ProposalCategory
from proposals.templatetags.proposal_rows import BADGE_CLASS, BADGE_OTHERWISE, state_badge

State = Proposal.State
HOSTILE = '<script>alert("x")</script>&\'"'


def _proposal(*, title, member, term, plenary, state, number="", is_key=False, category=None):
    content = "正文" * 20
    return Proposal.objects.create(
        title=title,
        content=content,
        **search.index_fields(title, content),
        category=category or ProposalCategory.objects.get(name="社会"),
        proposer=member,
        created_by=member.user,
        term=term,
        plenary=plenary,
        state=state,
        number=number,
        is_key=is_key,
        submitted_at=timezone.now() - timedelta(hours=1),
    )


@pytest.mark.parametrize("state", State.values)
def test_the_badge_of_every_state(state):
    p = Proposal(state=state, number="十五届二次会议第0001号" if state == State.CLOSED else "")
    badge = str(state_badge(p))
    css = BADGE_CLASS.get(state, BADGE_OTHERWISE)
    assert badge.startswith(f'<span class="badge {css}" data-testid="state-badge">')
    assert State(state).label in badge
    assert ("· 十五届二次会议第0001号" in badge) == (state == State.CLOSED)


def test_register_rows_show_each_column_and_escape_every_text(
    client, staff_user, member, other_member, term, plenary, department
):
    department.name = f"市{HOSTILE}局"
    department.save(update_fields=["name"])
    category = ProposalCategory.objects.create(name=f"类{HOSTILE}")
    member.name = f"委员{HOSTILE}"
    member.save(update_fields=["name"])
    key = _proposal(
        title=f"关于养老服务的建议{HOSTILE}",
        member=member,
        term=term,
        plenary=plenary,
        state=State.IN_PROGRESS,
        number="第0007号",
        is_key=True,
        category=category,
    )
    Cosigner.objects.create(proposal=key, member=other_member, status=Cosigner.Status.CONFIRMED, order=1)
    for role, state in (("lead", "accepted"), ("co", "cancelled")):
        Assignment.objects.create(
            proposal=key,
            department=department,
            role=role,
            state=state,
            assigned_at=timezone.now(),
            assigned_by=staff_user,
            due_basis=timezone.localdate(),
            due_date=timezone.localdate() + timedelta(days=30),
        )
    client.force_login(staff_user)
    body = client.get("/workbench/proposals/all/").content.decode()
    assert "<script>" not in body
    row = body.split(f'href="/workbench/proposals/{key.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert html.escape(f"关于养老服务的建议{HOSTILE}") in row and "重点</span>" in row
    assert html.escape(f"委员{HOSTILE}") in row and "等2人" in row
    assert html.escape(f"类{HOSTILE}") in row
    assert row.count("（主办）") == 1  # the cancelled one is not a unit of the proposal any more
    assert html.escape(f"市{HOSTILE}局") in row
    assert 'data-testid="state-badge">办理中 · 第0007号</span>' in row
    # A search marks its words in the title and shows where it matched.
    body = client.get("/workbench/proposals/all/", {"q": "养老"}).content.decode()
    assert '关于<mark class="search-hit">养老</mark>服务' in body and "<script>" not in body


def test_review_queue_rows_tick_only_what_can_be_registered(
    client, staff_user, leader_user, member, other_member, term, plenary
):
    member.name = f"委员{HOSTILE}"
    member.save(update_fields=["name"])
    waiting = _proposal(
        title=f"待审{HOSTILE}", member=member, term=term, plenary=plenary, state=State.SUBMITTED
    )
    Cosigner.objects.create(proposal=waiting, member=other_member, status=Cosigner.Status.CONFIRMED, order=1)
    between = _proposal(title="闭会期间的提案", member=member, term=term, plenary=None, state=State.SUBMITTED)
    client.force_login(staff_user)
    body = client.get("/workbench/proposals/").content.decode()
    assert "<script>" not in body
    assert f'name="ids" value="{waiting.pk}" aria-label="选择 {html.escape(f"待审{HOSTILE}")}"' in body
    row = body.split(f'name="ids" value="{waiting.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "赵委员（已确认）" in row and html.escape(f"委员{HOSTILE}") in row
    assert timezone.localtime(waiting.submitted_at).strftime("%Y-%m-%d %H:%M") in row
    assert f"{plenary.short_name}</div>" in row
    between_row = body.split(f'name="ids" value="{between.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "· 闭会期间" in between_row and '<td class="d-none d-md-table-cell small">—</td>' in between_row
    # A leader reads the same queue without the boxes to tick.
    client.force_login(leader_user)
    body = client.get("/workbench/proposals/").content.decode()
    assert 'name="ids"' not in body and html.escape(f"待审{HOSTILE}") in body
