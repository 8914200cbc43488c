"""The staff 网络议政 table's rows (deliberations/templatetags/deliberation_rows.py): each column, the phase
badge of every phase, and every stored text escaped."""

import html
from datetime import date, timedelta

import pytest
from django.utils import timezone

from consultations import services as consultation_services
from deliberations.models import Deliberation, Post
from deliberations.templatetags.deliberation_rows import phase_badge

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>&\'"'
E = html.escape
State = Deliberation.State


def _deliberation(title, opens_in, closes_in, *, state=State.SCHEDULED, created_by, topic=None):
    now = timezone.now().replace(second=0, microsecond=0)
    return Deliberation.objects.create(
        title=title,
        opens_at=now + timedelta(hours=opens_in),
        closes_at=now + timedelta(hours=closes_in),
        state=state,
        topic=topic,
        created_by=created_by,
    )


def _when(d) -> str:
    opens, closes = timezone.localtime(d.opens_at), timezone.localtime(d.closes_at)
    return f"{opens:%Y-%m-%d %H:%M} 至 {closes:%m-%d %H:%M}"


# Each phase's badge, as the include that drew it did (the thread, detail and member list use the tag too).
BADGES = {
    "open": ("text-bg-success", "进行中"),
    "scheduled": ("text-bg-info", "未开始"),
    "summarized": ("text-bg-primary", "已形成成果"),
}


@pytest.mark.parametrize("phase", [*State.values, "anything else"])
def test_the_badge_of_every_phase(phase):
    css, label = BADGES.get(phase, ("text-bg-secondary", "已结束"))
    assert phase_badge(phase) == f'<span class="badge {css}" data-testid="deliberation-state">{label}</span>'


def test_staff_rows_show_each_column_and_escape_every_text(
    client, staff_user, leader_user, member, other_member
):
    plan = consultation_services.plan_create(actor=staff_user, year=2026)
    consultation_services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    topic = consultation_services.topic_create(
        actor=staff_user, plan=plan, title=f"议题{HOSTILE}", type="remote", planned_month=5
    )
    going = _deliberation(f"进行中的{HOSTILE}", -2, 48, state=State.OPEN, topic=topic, created_by=staff_user)
    going.participants.add(member, other_member)
    for hidden in (False, False, True):
        Post.objects.create(
            deliberation=going, author=member.user, member=member, content="发言", hidden=hidden
        )
    coming = _deliberation("未开始的", 24, 72, created_by=staff_user)
    past = _deliberation("窗口已过的", -72, -24, state=State.OPEN, created_by=staff_user)
    done = _deliberation("已形成成果的", -96, -80, state=State.SUMMARIZED, created_by=staff_user)
    for user in (staff_user, leader_user):
        client.force_login(user)
        body = client.get("/workbench/deliberations/").content.decode()
        assert "<script>" not in body
        cells = (
            f'<td><a href="/workbench/deliberations/{going.pk}/">{E(f"进行中的{HOSTILE}")}</a></td>',
            f"<td>{E(f'议题{HOSTILE}')}</td>",
            f'<td class="small">{_when(going)}</td>',
            '<td><span class="badge text-bg-success" data-testid="deliberation-state">进行中</span></td>',
            '<td class="text-end">2</td>',  # the members taking part
            '<td class="text-end">2</td>',  # the posts shown (not the hidden one)
        )
        assert "<tr>" + "".join(cells) + "</tr>" in body
        for d, badge in (
            (coming, '<span class="badge text-bg-info" data-testid="deliberation-state">未开始</span>'),
            (past, '<span class="badge text-bg-secondary" data-testid="deliberation-state">已结束</span>'),
            (done, '<span class="badge text-bg-primary" data-testid="deliberation-state">已形成成果</span>'),
        ):
            assert (
                f'<tr><td><a href="/workbench/deliberations/{d.pk}/">{d.title}</a></td><td></td>'
                f'<td class="small">{_when(d)}</td><td>{badge}</td>'
                '<td class="text-end">0</td><td class="text-end">0</td></tr>'
            ) in body
        # The latest to open first.
        shown = [body.index(f"/workbench/deliberations/{d.pk}/") for d in (coming, going, past, done)]
        assert shown == sorted(shown)
        assert "暂无网络议政。" not in body


def test_no_deliberations(client, staff_user):
    client.force_login(staff_user)
    body = client.get("/workbench/deliberations/").content.decode()
    assert '<tr><td colspan="6" class="text-body-secondary small">暂无网络议政。</td></tr>' in body
    assert 'data-testid="deliberation-state"' not in body
