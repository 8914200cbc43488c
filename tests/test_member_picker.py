"""The member picker (members/widgets.py + members:pick): the create forms of deliberations,
activities and meetings no longer render every serving member, only a search box that asks a
staff-only endpoint for at most 20 matches; the posted ids are still validated server-side."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from consultations.models import Meeting
from deliberations.models import Deliberation
from members.models import Member

PICK = "/workbench/members/pick/"
CREATE_PAGES = [
    "/workbench/deliberations/",
    "/workbench/activities/",
    "/workbench/consultations/meetings/",
    "/workbench/activities/registers/",  # 活动组 (召集人, 组员) and 监督员 forms
    "/stations/",  # 值守委员
]


def _local(delta_days):
    return (timezone.localtime() + dt.timedelta(days=delta_days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member_user", "department_user", "leader_user"])
def test_pick_is_staff_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PICK, {"q": "李"}).status_code == 403


def test_pick_anonymous_goes_to_login(client, db):
    response = client.get(PICK, {"q": "李"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_pick_returns_only_serving_matches_by_name_or_sector(
    client, staff_user, member, other_member, make_member
):
    make_member("李离任", status=Member.Status.RESIGNED)
    client.force_login(staff_user)
    body = client.get(PICK, {"q": "李", "field": "participants"}).content.decode()
    assert f'name="participants" value="{member.pk}"' in body
    assert "李离任" not in body and "赵委员" not in body
    by_sector = client.get(PICK, {"q": "教育", "field": "participants"}).content.decode()
    assert "李委员" in by_sector and "赵委员" in by_sector
    empty = client.get(PICK, {"q": ""}).content.decode()
    assert "value=" not in empty
    # a field name that is not a plain identifier is not echoed into the markup
    odd = client.get(PICK, {"q": "李", "field": '"><script>'}).content.decode()
    assert "<script>" not in odd and 'name="members"' in odd


def test_pick_is_bounded_whatever_the_number_of_matches(client, staff_user, make_member):
    client.force_login(staff_user)
    for i in range(5):
        make_member(f"王{i:02d}")
    with CaptureQueriesContext(connection) as few:
        client.get(PICK, {"q": "王"})
    for i in range(5, 30):
        make_member(f"王{i:02d}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(PICK, {"q": "王"}).content.decode()
    assert len(many) == len(few)
    assert body.count('type="checkbox"') == 20
    assert "只显示前 20 位" in body


@pytest.mark.parametrize("url", CREATE_PAGES)
def test_create_forms_do_not_render_every_serving_member(client, staff_user, make_member, url):
    for i in range(30):
        make_member(f"候选{i:02d}")
    client.force_login(staff_user)
    body = client.get(url).content.decode()
    assert "候选" not in body
    assert f'hx-get="{PICK}?field=' in body
    assert "data-member-picker" in body


def test_deliberation_create_with_picked_members(client, staff_user, member, other_member, make_member):
    resigned = make_member("钱离任", status=Member.Status.RESIGNED)
    client.force_login(staff_user)
    data = {"title": "城市更新", "opens_at": _local(0), "closes_at": _local(7), "participants": [member.pk]}
    client.post("/workbench/deliberations/", data)
    d = Deliberation.objects.get(title="城市更新")
    assert list(d.participants.values_list("pk", flat=True)) == [member.pk]
    # a non-serving member is refused, and the form re-renders with the chosen one still ticked
    response = client.post(
        "/workbench/deliberations/", {**data, "title": "二", "participants": [member.pk, resigned.pk]}
    )
    assert not Deliberation.objects.filter(title="二").exists()
    body = response.content.decode()
    assert f'value="{member.pk}" id="id_participants-m{member.pk}" checked' in body


def test_activity_create_with_picked_members(client, staff_user, member, other_member):
    client.force_login(staff_user)
    client.post(
        "/workbench/activities/",
        {
            "kind": Activity.Kind.choices[0][0],
            "title": "视察",
            "start": _local(3),
            "participants": [other_member.pk],
        },
    )
    a = Activity.objects.get(title="视察")
    assert list(a.participants.values_list("member_id", flat=True)) == [other_member.pk]


def test_meeting_create_with_picked_invitees(client, staff_user, member, make_member):
    resigned = make_member("钱离任", status=Member.Status.RESIGNED)
    client.force_login(staff_user)
    data = {"title": "座谈", "type": "forum", "start": _local(3), "place": "x", "invitees": [resigned.pk]}
    client.post("/workbench/consultations/meetings/new/", data)
    assert not Meeting.objects.exists()
    client.post("/workbench/consultations/meetings/new/", {**data, "invitees": [member.pk]})
    assert Meeting.objects.filter(title="座谈").exists()


def test_single_pick_offers_radio_buttons_and_registers_take_one_member(
    client, staff_user, member, other_member
):
    from activities.models import Group, SupervisorAppointment

    client.force_login(staff_user)
    body = client.get(PICK, {"q": "李", "field": "convener", "single": "1"}).content.decode()
    assert f'type="radio" name="convener" value="{member.pk}"' in body
    client.post(
        "/workbench/activities/groups/new/",
        {
            "name": "教育组",
            "kind": "sector_group",
            "convener": member.pk,
            "members": [member.pk, other_member.pk],
        },
    )
    group = Group.objects.get(name="教育组")
    assert group.convener == member and group.members.count() == 2
    client.post(
        "/workbench/activities/supervisors/new/",
        {"member": other_member.pk, "kind": "democratic", "office": "市教育局", "start_date": "2026-01-01"},
    )
    assert SupervisorAppointment.objects.get().member == other_member
