"""The activities lists' rows (activities/templatetags/activity_rows.py): the staff table's columns, a member's
coming and past activities with each branch, and every stored text escaped."""

import html
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Group, Participant, Station

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>&\'"'
E = html.escape


def _at(days, hour=9):
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 30)))


def _activity(title, start, **fields):
    return Activity.objects.create(title=title, start=start, **{"kind": Activity.Kind.RESEARCH, **fields})


def day(days) -> str:
    """That day as `|date:"Y年n月j日"` writes it."""
    d = timezone.localdate() + timedelta(days=days)
    return f"{d.year}年{d.month}月{d.day}日"


def _shown(body, marker, end):
    """The markup from `marker` (a row's link) to the end of that row."""
    assert marker in body
    return body.split(marker, 1)[1].split(end, 1)[0]


def test_staff_rows_show_each_column_and_escape_every_text(
    client, staff_user, leader_user, member, other_member
):
    station = Station.objects.create(name=f"站{HOSTILE}")
    held = _activity(
        f"调研{HOSTILE}",
        _at(-3, 14),
        place=f"地点{HOSTILE}",
        station=station,
        state=Activity.State.DONE,
        kind=Activity.Kind.HEARING,
    )
    Participant.objects.create(activity=held, member=member, status=Participant.Status.PRESENT)
    Participant.objects.create(activity=held, member=other_member, status=Participant.Status.LEAVE)
    cancelled = _activity(
        "取消的视察", _at(-5), state=Activity.State.CANCELLED, kind=Activity.Kind.INSPECTION
    )
    for user in (staff_user, leader_user):
        client.force_login(user)
        body = client.get("/workbench/activities/").content.decode()
        assert "<script>" not in body
        assert (
            f'<tr><td><a href="/workbench/activities/{held.pk}/">{E(f"调研{HOSTILE}")}</a></td><td>听证旁听</td>'
            f"<td>{(timezone.localdate() - timedelta(days=3)):%Y-%m-%d} 14:30</td>"
            f"<td>{E(f'地点{HOSTILE}')}（{E(f'站{HOSTILE}')}）</td><td>2/1</td><td>已完成</td></tr>"
        ) in body
        # No station, no place, nobody taking part.
        assert (
            f'<tr><td><a href="/workbench/activities/{cancelled.pk}/">取消的视察</a></td><td>视察</td>'
            f"<td>{(timezone.localdate() - timedelta(days=5)):%Y-%m-%d} 09:30</td>"
            "<td></td><td>0/0</td><td>已取消</td></tr>"
        ) in body
        assert "暂无活动。" not in body
        # Newest first.
        assert body.index(f"/workbench/activities/{held.pk}/") < body.index(
            f"/workbench/activities/{cancelled.pk}/"
        )
    body = client.get("/workbench/activities/", {"kind": Activity.Kind.TRAINING}).content.decode()
    assert '<tr><td colspan="6" class="text-body-secondary">暂无活动。</td></tr>' in body
    assert f"/workbench/activities/{held.pk}/" not in body


def test_member_rows_show_each_branch_and_escape_every_text(client, member, other_member):
    on_list = _activity(f"已在名单的调研{HOSTILE}", _at(3, 15), kind=Activity.Kind.TRAINING)
    Participant.objects.create(activity=on_list, member=member)
    open_one = _activity(
        f"可报名的视察{HOSTILE}", _at(5), place=f"社区{HOSTILE}", kind=Activity.Kind.INSPECTION
    )
    attended = _activity(f"出席过的调研{HOSTILE}", _at(-10), place="某地", state=Activity.State.DONE)
    Participant.objects.create(activity=attended, member=member, status=Participant.Status.PRESENT)
    group = Group.objects.create(name="教育界别活动组", kind=Group.Kind.SECTOR_GROUP)
    group.members.add(member)
    missed = _activity(f"组里的接待日{HOSTILE}", _at(-20), group=group, kind=Activity.Kind.RECEPTION)
    Participant.objects.create(activity=missed, member=other_member, status=Participant.Status.PRESENT)

    client.force_login(member.user)
    body = client.get("/activities/").content.decode()
    assert "<script>" not in body

    row = _shown(body, f'href="/activities/{on_list.pk}/">', "</a>")
    assert f"<strong>{E(f'已在名单的调研{HOSTILE}')}</strong>" in row
    assert '<span class="badge text-bg-info align-self-start">学习培训</span>' in row
    assert f'<div class="small text-body-secondary">{day(3)} 15:30 · 地点待定 · 已在名单</div>' in row

    row = _shown(body, f'href="/activities/{open_one.pk}/">', "</a>")
    assert f"<strong>{E(f'可报名的视察{HOSTILE}')}</strong>" in row
    assert (
        f'<div class="small text-body-secondary">{day(5)} 09:30 · {E(f"社区{HOSTILE}")} · 可报名</div>' in row
    )

    row = _shown(body, f'href="/activities/{attended.pk}/">', "</a>")
    assert (
        f'<strong>{E(f"出席过的调研{HOSTILE}")}</strong> <span class="badge text-bg-light">调研</span>' in row
    )
    assert f'<div class="small text-body-secondary">{day(-10)} · 出席</div>' in row

    row = _shown(body, f'href="/activities/{missed.pk}/">', "</a>")
    assert (
        f'<strong>{E(f"组里的接待日{HOSTILE}")}</strong> <span class="badge text-bg-light">委员接待日</span>'
        in row
    )
    assert f'<div class="small text-body-secondary">{day(-20)} · 未参加</div>' in row

    # The coming ones in their list, soonest first; the past ones in theirs, newest first.
    upcoming, past = body.split('data-testid="upcoming"', 1)[1].split('data-testid="past"', 1)
    assert upcoming.index(f"/activities/{on_list.pk}/") < upcoming.index(f"/activities/{open_one.pk}/")
    assert past.index(f"/activities/{attended.pk}/") < past.index(f"/activities/{missed.pk}/")
    assert f"/activities/{attended.pk}/" not in upcoming and f"/activities/{on_list.pk}/" not in past
    assert "暂无" not in body


def test_member_lists_empty(client, member):
    client.force_login(member.user)
    body = client.get("/activities/").content.decode()
    assert '<div class="list-group-item text-body-secondary small">暂无即将开展的活动。</div>' in body
    assert '<div class="list-group-item text-body-secondary small">暂无。</div>' in body
    assert "list-group-item-action" not in body


CASE_LOOP = (
    "{% for case in cases %}"
    "<tr><td><a href=\"{% url 'activities:case' case.pk %}\">{{ case.title }}</a></td><td>{{ case.member.name }}</td>"
    '<td>{{ case.station.name|default:"—" }}</td><td>{{ case.created_at|date:"Y-m-d" }}</td>'
    "<td>{{ case.get_state_display }}</td></tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)


def test_staff_case_rows_are_the_template_loop_byte_for_byte():
    from types import SimpleNamespace

    from django.template import Context, Template

    def case(pk, station):
        return SimpleNamespace(
            pk=pk,
            title=f"民情{HOSTILE}",
            member=SimpleNamespace(name=f"委员{HOSTILE}"),
            station=station,
            created_at=_at(-pk, hour=23),  # late in the evening: the local date, not UTC's
            get_state_display=lambda: "办理中",
        )

    cases = [case(1, SimpleNamespace(name=f"站{HOSTILE}")), case(2, None), case(3, SimpleNamespace(name=""))]
    expected = Template(CASE_LOOP).render(Context({"cases": cases}))
    tag = Template("{% load activity_rows %}{% staff_case_rows cases %}").render(Context({"cases": cases}))
    assert tag == expected
    assert "<script>" not in expected and expected.count("<td>—</td>") == 2
