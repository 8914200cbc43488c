"""远程协商: a meeting carries the committee's own video link; invited members attend remotely inside the
check-in window, recorded as remote, and it counts as presence (duty record, statistics)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, Meeting
from members.models import DutyRecord
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db
API = "/api/v1"
LINK = "https://video.zx.example.gov.cn/room/123"


@pytest.fixture
def meeting(staff_user, member):
    return services.meeting_create(
        actor=staff_user,
        title="远程协商会",
        type="remote",
        start=timezone.now() + timedelta(days=2),
        place="市政协三楼会议室",
        invitees=[member],
    )


def started(meeting):
    start = timezone.now() - timedelta(minutes=10)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=2))
    meeting.refresh_from_db()
    return meeting


def test_link_rules_and_remote_attendance_counts(meeting, staff_user, member, member_user, other_member):
    with pytest.raises(InvalidInput, match="http"):
        services.meeting_set_remote_url(actor=staff_user, meeting=meeting, url="javascript:alert(1)")
    with pytest.raises(InvalidInput, match="未开通"):
        services.meeting_attend_remotely(actor=member_user, meeting=started(meeting))
    Meeting.objects.filter(pk=meeting.pk).update(
        start=timezone.now() + timedelta(days=2), end=timezone.now() + timedelta(days=2, hours=2)
    )
    meeting.refresh_from_db()
    services.meeting_set_remote_url(actor=staff_user, meeting=meeting, url=LINK)
    assert AuditEntry.objects.filter(action="consultation_remote_url").exists()
    with pytest.raises(InvalidInput, match="不在参会时间内"):
        services.meeting_attend_remotely(actor=member_user, meeting=meeting)
    started(meeting)
    row = services.meeting_attend_remotely(actor=member_user, meeting=meeting)
    assert row.status == Attendance.Status.PRESENT and row.remote
    record = DutyRecord.objects.get(member=member, kind="meeting_attendance")
    assert record.detail == "present" and "远程参会" in record.note
    with pytest.raises(PermissionDenied):
        services.meeting_attend_remotely(actor=other_member.user, meeting=meeting)


def test_api_remote_link_and_attend_per_role(
    api, meeting, staff_user, member, member_user, other_member, leader_user
):
    url = f"{API}/meetings/{meeting.pk}/remote-link/"
    assert api(member_user).post(url, {"url": LINK}).status_code == 403
    assert api(leader_user).post(url, {"url": LINK}).status_code == 403
    assert api(other_member.user).post(url, {"url": LINK}).status_code == 404
    r = api(staff_user).post(url, {"url": LINK})
    assert r.status_code == 200 and r.json()["remote_url"] == LINK
    started(meeting)
    join = f"{API}/meetings/{meeting.pk}/attend-remotely/"
    assert api(other_member.user).post(join).status_code == 404
    assert api(staff_user).post(join).status_code == 403
    r = api(member_user).post(join)
    assert r.status_code == 200
    mine = [a for a in r.json()["invitees"] if a["member"] == member.pk][0]
    assert mine["status"] == "present" and mine["remote"] is True


def test_staff_record_remote_presence_and_pages(client, meeting, staff_user, member, member_user):
    services.meeting_set_remote_url(actor=staff_user, meeting=meeting, url=LINK)
    started(meeting)
    client.force_login(staff_user)
    client.post(
        f"/workbench/consultations/meetings/{meeting.pk}/attendance/",
        {"member": member.pk, "status": "present", "remote": "on"},
    )
    assert Attendance.objects.get(meeting=meeting, member=member).remote
    assert (
        'data-testid="remote-attendance"'
        in client.get(f"/workbench/consultations/meetings/{meeting.pk}/").content.decode()
    )
    Attendance.objects.filter(meeting=meeting).update(status="", remote=False)
    client.force_login(member_user)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="attend-remotely"' in page
    response = client.post(f"/meetings/{meeting.pk}/attend-remotely/")
    assert response.status_code == 302 and response["Location"] == LINK
    assert Attendance.objects.get(meeting=meeting, member=member).remote
    client.force_login(staff_user)
    assert client.post(f"/meetings/{meeting.pk}/attend-remotely/").status_code == 403
