"""The meeting lists' rows (consultations/templatetags/meeting_rows.py): the staff table's columns, a member's
coming and past invitations with each branch, and every stored text escaped."""

import html
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, Meeting

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>&\'"'
E = html.escape
Reply, Status = Attendance.Reply, Attendance.Status


def _at(days, hour=9):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 30)))


def _meeting(title, days, *, place="市政协会议室", state=Meeting.State.PLANNED, topic=None, hour=9):
    start = _at(days, hour)
    return Meeting.objects.create(
        title=title,
        type="forum",
        start=start,
        end=start + timedelta(hours=2),
        place=place,
        state=state,
        topic=topic,
    )


def _invite(meeting, member, reply=Reply.PENDING, status=""):
    return Attendance.objects.create(meeting=meeting, member=member, reply=reply, status=status)


def day(days) -> str:
    """That day as `|date:"Y年n月j日"` writes it."""
    d = timezone.localdate() + timedelta(days=days)
    return f"{d.year}年{d.month}月{d.day}日"


def _shown(body, marker, end):
    """The markup from `marker` (a row's link) to the end of that row."""
    assert marker in body
    return body.split(marker, 1)[1].split(end, 1)[0]


def test_staff_rows_show_each_column_and_escape_every_text(
    client, staff_user, leader_user, member, other_member, make_member
):
    plan = services.plan_create(actor=staff_user, year=2026)
    services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    topic = services.topic_create(
        actor=staff_user, plan=plan, title=f"议题{HOSTILE}", type="forum", planned_month=6
    )
    held = _meeting(
        f"协商会{HOSTILE}", -3, place=f"会场{HOSTILE}", state=Meeting.State.HELD, topic=topic, hour=14
    )
    _invite(held, member, Reply.ATTEND, Status.PRESENT)
    _invite(held, other_member, Reply.ATTEND, Status.ABSENT)
    _invite(held, make_member("钱委员"), Reply.LEAVE, Status.LEAVE)
    _invite(held, make_member("孙委员"))
    cancelled = _meeting("取消的座谈会", -5, place="二楼", state=Meeting.State.CANCELLED)
    for user in (staff_user, leader_user):
        client.force_login(user)
        body = client.get("/workbench/consultations/meetings/").content.decode()
        assert "<script>" not in body
        assert (
            f'<tr><td><a href="/workbench/consultations/meetings/{held.pk}/">{E(f"协商会{HOSTILE}")}</a>'
            f'<div class="text-body-secondary">{E(f"议题{HOSTILE}")}</div></td>'
            f'<td class="text-nowrap">{(timezone.localdate() - timedelta(days=3)):%Y-%m-%d} 14:30</td>'
            f'<td class="d-none d-md-table-cell">{E(f"会场{HOSTILE}")}</td>'
            "<td>已举行</td><td>4 / 2 / 1</td></tr>"  # invited / replied they attend / present
        ) in body
        # No topic, nobody invited.
        assert (
            f'<tr><td><a href="/workbench/consultations/meetings/{cancelled.pk}/">取消的座谈会</a></td>'
            f'<td class="text-nowrap">{(timezone.localdate() - timedelta(days=5)):%Y-%m-%d} 09:30</td>'
            '<td class="d-none d-md-table-cell">二楼</td><td>已取消</td><td>0 / 0 / 0</td></tr>'
        ) in body
        assert body.index(f"/meetings/{held.pk}/") < body.index(f"/meetings/{cancelled.pk}/")  # newest first
        assert "暂无协商活动。" not in body
    body = client.get("/workbench/consultations/meetings/", {"state": "planned"}).content.decode()
    assert '<tr><td colspan="5" class="text-body-secondary">暂无协商活动。</td></tr>' in body
    assert f"/workbench/consultations/meetings/{held.pk}/" not in body


def test_member_rows_show_each_branch_and_escape_every_text(client, member):
    pending = _meeting(
        f"待回复的{HOSTILE}", 2, place=f"会场{HOSTILE}", state=Meeting.State.CANCELLED, hour=15
    )
    _invite(pending, member)
    leave = _meeting(f"请了假的{HOSTILE}", 4)
    _invite(leave, member, Reply.LEAVE)
    attend = _meeting(f"要参加的{HOSTILE}", 6)
    _invite(attend, member, Reply.ATTEND)
    present = _meeting(f"出席过的{HOSTILE}", -10, state=Meeting.State.HELD)
    _invite(present, member, Reply.ATTEND, Status.PRESENT)
    unrecorded = _meeting(f"未登记的{HOSTILE}", -20, state=Meeting.State.HELD)
    _invite(unrecorded, member, Reply.ATTEND)

    client.force_login(member.user)
    body = client.get("/meetings/").content.decode()
    assert "<script>" not in body

    row = _shown(body, f'href="/meetings/{pending.pk}/">', "</a>")
    assert (
        f"<strong>{E(f'待回复的{HOSTILE}')}</strong>"
        '<span class="badge text-bg-warning align-self-start">未回复</span>'
    ) in row
    assert (
        f'<div class="small text-body-secondary">{day(2)} 15:30 · {E(f"会场{HOSTILE}")} · 已取消</div>' in row
    )
    row = _shown(body, f'href="/meetings/{leave.pk}/">', "</a>")
    assert '<span class="badge text-bg-secondary align-self-start">请假</span>' in row
    assert f'<div class="small text-body-secondary">{day(4)} 09:30 · 市政协会议室</div>' in row
    row = _shown(body, f'href="/meetings/{attend.pk}/">', "</a>")
    assert f"<strong>{E(f'要参加的{HOSTILE}')}</strong>" in row
    assert '<span class="badge text-bg-success align-self-start">参加</span>' in row

    row = _shown(body, f'href="/meetings/{present.pk}/">', "</a>")
    assert f"<div><strong>{E(f'出席过的{HOSTILE}')}</strong></div>" in row
    assert f'<div class="small text-body-secondary">{day(-10)} · 出席</div>' in row
    row = _shown(body, f'href="/meetings/{unrecorded.pk}/">', "</a>")
    assert f"<div><strong>{E(f'未登记的{HOSTILE}')}</strong></div>" in row
    assert f'<div class="small text-body-secondary">{day(-20)} · 未登记</div>' in row

    upcoming, past = body.split('data-testid="upcoming"', 1)[1].split('data-testid="past"', 1)
    shown = [upcoming.index(f"/meetings/{m.pk}/") for m in (attend, leave, pending)]
    assert shown == sorted(shown)  # the latest first, as they were listed
    assert past.index(f"/meetings/{present.pk}/") < past.index(f"/meetings/{unrecorded.pk}/")
    assert f"/meetings/{present.pk}/" not in upcoming and f"/meetings/{pending.pk}/" not in past
    assert "暂无" not in body


def test_member_lists_empty(client, member):
    client.force_login(member.user)
    body = client.get("/meetings/").content.decode()
    assert '<div class="list-group-item text-body-secondary small">暂无待参加的活动。</div>' in body
    assert '<div class="list-group-item text-body-secondary small">暂无。</div>' in body
    assert "list-group-item-action" not in body
