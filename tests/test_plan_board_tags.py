"""The plan board's topic lists and the topic badge (consultations/templatetags/plan_board.py): each topic in
its state column and its month row, unscheduled ones, empty columns, every stored text escaped."""

import html
from datetime import date

import pytest

from consultations import services
from consultations.models import Topic
from consultations.templatetags.plan_board import BADGE_CLASS, BADGE_OTHERWISE, topic_badge
from members.models import SpecialCommittee

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>&\'"'


@pytest.mark.parametrize("state", Topic.State.values)
def test_the_badge_of_every_state(state):
    badge = str(topic_badge(Topic(state=state)))
    assert badge == (
        f'<span class="badge {BADGE_CLASS.get(state, BADGE_OTHERWISE)}">{Topic.State(state).label}</span>'
    )


def test_board_lists_each_topic_by_state_and_by_month_escaped(client, staff_user):
    plan = services.plan_create(actor=staff_user, year=2026)
    committee = SpecialCommittee.objects.create(name=f"委{HOSTILE}")
    june = services.topic_create(
        actor=staff_user, plan=plan, title=f"六月{HOSTILE}", type="counterpart", planned_month=6
    )
    Topic.objects.filter(pk=june.pk).update(lead_committee=committee)
    later = services.topic_create(actor=staff_user, plan=plan, title=f"未定{HOSTILE}", type="counterpart")
    client.force_login(staff_user)
    body = client.get("/workbench/consultations/?year=2026").content.decode()
    assert "<script>alert" not in body
    by_state = body.split('data-testid="board-by-state"', 1)[1].split('data-testid="board-by-month"', 1)[0]
    for topic in (june, later):
        link = f'<a href="/workbench/consultations/topics/{topic.pk}/">{html.escape(topic.title)}</a>'
        assert by_state.count(link) == 1
    assert "对口协商 · 6月</div>" in by_state  # type and month under the title
    assert '<li class="list-group-item py-1 text-body-secondary">—</li>' in by_state  # states with none
    by_month = body.split('data-testid="board-by-month"', 1)[1].split("</table>", 1)[0]
    june_row = by_month.split("<td>6月</td>", 1)[1].split("</tr>", 1)[0]
    assert html.escape(f"六月{HOSTILE}") in june_row
    assert f"对口协商 · {html.escape(committee.name)}牵头" in june_row
    assert '<span class="badge text-bg-light border">拟定</span>' in june_row
    unscheduled = by_month.split("<td>未定</td>", 1)[1].split("</tr>", 1)[0]
    assert html.escape(f"未定{HOSTILE}") in unscheduled and "牵头" not in unscheduled
    assert by_month.count("<tr><td>") == 2  # no row for a month without topics


def test_topic_page_shows_its_badge(client, staff_user):
    plan = services.plan_create(actor=staff_user, year=2026)
    services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    topic = services.topic_create(
        actor=staff_user, plan=plan, title="议题", type="counterpart", planned_month=3
    )
    client.force_login(staff_user)
    body = client.get(f"/workbench/consultations/topics/{topic.pk}/").content.decode()
    state = body.split('data-testid="topic-state">', 1)[1].split("</span>", 1)[0]
    assert state.startswith('<span class="badge') and topic.get_state_display() in state
