"""Editing meetings and topics after creation (issue 7 follow-up): services, pages, API PATCH, admin and
the day-before reminder of a rescheduled meeting."""

from datetime import date, datetime, time, timedelta

import pytest
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import make_user
from consultations import services
from consultations.models import Meeting, Topic
from consultations.reminders import MeetingTomorrow
from members.models import Member, SpecialCommittee
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import Notification, Reminder
from zhengxie.notifications.services import reminders_scan
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry, TransitionLog

pytestmark = pytest.mark.django_db

API = "/api/v1"
CHANGED = "协商活动变更"


def at(days: int, hour: int = 9) -> datetime:
    """A local, minute-exact moment `days` from today (pages and the admin work to the minute)."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@pytest.fixture
def plan(staff_user):
    plan = services.plan_create(actor=staff_user, year=2026, title="2026年度政协协商工作计划")
    return services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))


@pytest.fixture
def topic(plan, staff_user):
    return services.topic_create(
        actor=staff_user, plan=plan, title="优化营商环境", type="special_topic", planned_month=5
    )


@pytest.fixture
def meeting(staff_user, topic, member, other_member):
    """Invites member (who will attend) and other_member (who asks for leave)."""
    meeting = services.meeting_create(
        actor=staff_user,
        topic=topic,
        title="优化营商环境专题协商会",
        type="special_topic",
        start=at(20),
        place="市政协三楼会议室",
        invitees=[member, other_member],
    )
    services.meeting_reply(actor=member.user, meeting=meeting, attend=True)
    services.meeting_reply(actor=other_member.user, meeting=meeting, attend=False, reason="出差")
    Notification.objects.all().delete()
    return meeting


def changed_notices():
    return list(Notification.objects.filter(title__startswith=CHANGED).order_by("recipient_id"))


def snapshot(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (meeting.title, meeting.start, meeting.end, meeting.place, meeting.notice_due, meeting.minutes_due)


# --- services ----------------------------------------------------------------------------------------


def test_reschedule_recomputes_deadlines_notifies_and_logs(meeting, staff_user, member):
    old = Meeting.objects.get(pk=meeting.pk)
    old_token = services.checkin_token(old)
    new_start = at(41, hour=14)
    services.meeting_update(actor=staff_user, meeting=meeting, start=new_start)
    meeting.refresh_from_db()

    assert meeting.start == new_start
    assert meeting.end - meeting.start == old.end - old.start  # the length is kept
    expected = services.meeting_deadlines(timezone.localtime(new_start).date())
    assert expected["notice_due"] != old.notice_due
    assert (meeting.notice_due, meeting.materials_due, meeting.minutes_due) == (
        expected["notice_due"],
        expected["materials_due"],
        expected["minutes_due"],
    )
    # told: the member who will attend, not the one on leave
    notes = changed_notices()
    assert [n.recipient_id for n in notes] == [member.user_id]
    assert f"{timezone.localtime(new_start):%Y年%m月%d日 %H:%M}" in notes[0].body
    log = TransitionLog.objects.get(object_id=meeting.pk, action="reschedule")
    assert "签到二维码已更换" in log.comment and log.actor == staff_user
    assert AuditEntry.objects.filter(action="consultation_meeting_update", object_id=str(meeting.pk)).exists()
    # the QR code follows the new start: the old one no longer checks in
    assert services.checkin_token(meeting) != old_token


def test_place_change_notifies_title_change_does_not(meeting, staff_user, member):
    services.meeting_update(actor=staff_user, meeting=meeting, title="营商环境专题协商会")
    assert changed_notices() == []
    assert TransitionLog.objects.filter(object_id=meeting.pk, action="update").exists()
    before = snapshot(meeting)[4]
    services.meeting_update(actor=staff_user, meeting=meeting, place="市民中心报告厅")
    notes = changed_notices()
    assert [n.recipient_id for n in notes] == [member.user_id]
    assert "市民中心报告厅" in notes[0].body
    meeting.refresh_from_db()
    assert meeting.notice_due == before  # same day: deadlines unchanged


def test_nothing_changed_writes_nothing(meeting, staff_user):
    logs = TransitionLog.objects.count()
    services.meeting_update(actor=staff_user, meeting=meeting, title=meeting.title, place=meeting.place)
    assert TransitionLog.objects.count() == logs and changed_notices() == []


def test_past_start_refused_and_nothing_changed(meeting, staff_user):
    before = snapshot(meeting)
    logs = TransitionLog.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.meeting_update(
            actor=staff_user, meeting=meeting, start=timezone.now() - timedelta(hours=1), place="别处"
        )
    assert "开始时间已过" in exc.value.message
    assert snapshot(meeting) == before
    assert TransitionLog.objects.count() == logs and changed_notices() == []


def test_end_before_start_refused(meeting, staff_user):
    before = snapshot(meeting)
    with pytest.raises(InvalidInput, match="结束时间应晚于开始时间"):
        services.meeting_update(actor=staff_user, meeting=meeting, end=meeting.start - timedelta(hours=1))
    assert snapshot(meeting) == before


def test_held_and_cancelled_meetings_refused(meeting, staff_user):
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.HELD)
    with pytest.raises(TransitionNotAllowed, match="已举行或已取消"):
        services.meeting_update(actor=staff_user, meeting=meeting, start=at(30))
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.CANCELLED)
    with pytest.raises(TransitionNotAllowed):
        services.meeting_update(actor=staff_user, meeting=meeting, title="新名称")
    assert Meeting.objects.get(pk=meeting.pk).title == "优化营商环境专题协商会"


def test_wrong_roles_refused(meeting, topic, member_user, leader_user, department_user):
    for user in (member_user, leader_user, department_user):
        with pytest.raises(PermissionDenied):
            services.meeting_update(actor=user, meeting=meeting, start=at(30))
        with pytest.raises(PermissionDenied):
            services.topic_update(actor=user, topic=topic, title="x", type="forum")
    assert Meeting.objects.get(pk=meeting.pk).start == at(20)


def test_invite_more_still_works_after_reschedule(meeting, staff_user, make_member):
    services.meeting_update(actor=staff_user, meeting=meeting, start=at(25))
    extra = make_member("钱委员")
    assert services.meeting_invite(actor=staff_user, meeting=meeting, members=[extra]) == [extra]


def test_topic_update_and_closed_topic_refused(topic, staff_user, department):
    committee = SpecialCommittee.objects.create(name="经济委员会")
    services.topic_update(
        actor=staff_user,
        topic=topic,
        title="持续优化营商环境",
        type="forum",
        lead_committee=committee,
        departments=[department],
        planned_month=9,
    )
    topic.refresh_from_db()
    assert (topic.title, topic.type, topic.lead_committee, topic.planned_month) == (
        "持续优化营商环境",
        "forum",
        committee,
        9,
    )
    assert list(topic.departments.all()) == [department]
    assert topic.state == Topic.State.APPROVED  # the state is not touched
    assert TransitionLog.objects.filter(object_id=topic.pk, action="update").exists()
    with pytest.raises(InvalidInput, match="计划月份"):
        services.topic_update(actor=staff_user, topic=topic, title="x", type="forum", planned_month=13)
    Topic.objects.filter(pk=topic.pk).update(state=Topic.State.CLOSED)
    with pytest.raises(TransitionNotAllowed, match="已办结"):
        services.topic_update(actor=staff_user, topic=topic, title="再改", type="forum")
    assert Topic.objects.get(pk=topic.pk).title == "持续优化营商环境"


# --- pages -------------------------------------------------------------------------------------------


def local_input(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def meeting_post(meeting, **changes):
    data = {
        "title": meeting.title,
        "type": meeting.type,
        "start": local_input(meeting.start),
        "end": local_input(meeting.end),
        "place": meeting.place,
        "invited_officials": meeting.invited_officials,
    }
    data.update(changes)
    return data


def test_meeting_edit_page_reschedules(client, staff_user, meeting, member):
    client.force_login(staff_user)
    detail = client.get(f"/workbench/consultations/meetings/{meeting.pk}/")
    url = f"/workbench/consultations/meetings/{meeting.pk}/edit/"
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200 and local_input(meeting.start) in page.content.decode()
    new_start = at(35, hour=15)
    response = client.post(url, meeting_post(meeting, start=local_input(new_start)), follow=True)
    assert response.redirect_chain[-1][0] == f"/workbench/consultations/meetings/{meeting.pk}/"
    assert "活动已改期" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.start == new_start and meeting.end == new_start + timedelta(hours=3)
    assert meeting.notice_due == services.meeting_deadlines(new_start.date())["notice_due"]
    assert [n.recipient_id for n in changed_notices()] == [member.user_id]


def test_meeting_edit_page_bad_input_keeps_input(client, staff_user, meeting):
    client.force_login(staff_user)
    before = snapshot(meeting)
    past = timezone.localtime(timezone.now() - timedelta(days=1))
    response = client.post(
        f"/workbench/consultations/meetings/{meeting.pk}/edit/",
        meeting_post(meeting, start=local_input(past), place="新会场"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "新的开始时间已过，请选择今后的时间。" in html
    assert 'value="新会场"' in html and local_input(past) in html
    assert snapshot(meeting) == before and changed_notices() == []


def test_meeting_edit_page_for_held_meeting_refused(client, staff_user, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.HELD)
    client.force_login(staff_user)
    url = f"/workbench/consultations/meetings/{meeting.pk}/edit/"
    response = client.post(url, meeting_post(meeting, start=local_input(at(40))), follow=True)
    assert "不能再修改" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).start == at(20)


@pytest.mark.parametrize("fixture", ["leader_user", "member_user", "department_user"])
def test_edit_pages_refuse_other_roles(client, request, fixture, meeting, topic):
    client.force_login(request.getfixturevalue(fixture))
    for url in (
        f"/workbench/consultations/meetings/{meeting.pk}/edit/",
        f"/workbench/consultations/topics/{topic.pk}/edit/",
    ):
        assert client.get(url).status_code == 403
    response = client.post(
        f"/workbench/consultations/meetings/{meeting.pk}/edit/",
        meeting_post(meeting, start=local_input(at(40))),
    )
    assert response.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).start == at(20)


def test_edit_pages_404_for_missing_objects(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/workbench/consultations/meetings/999999/edit/").status_code == 404
    assert client.get("/workbench/consultations/topics/999999/edit/").status_code == 404


def test_topic_edit_page(client, staff_user, topic, department):
    client.force_login(staff_user)
    url = f"/workbench/consultations/topics/{topic.pk}/edit/"
    assert url in client.get(f"/workbench/consultations/topics/{topic.pk}/").content.decode()
    data = {"title": "新议题名称", "type": "forum", "planned_month": "7", "departments": [department.pk]}
    response = client.post(url, data, follow=True)
    assert "议题已修改" in response.content.decode()
    topic.refresh_from_db()
    assert (topic.title, topic.type, topic.planned_month) == ("新议题名称", "forum", 7)
    assert list(topic.departments.all()) == [department]
    # bad input: the message and what was typed stay on the page, nothing changes
    response = client.post(url, {"title": "  ", "type": "forum", "planned_month": "8"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "该字段是必填项" in html and 'value="8" selected' in html
    assert Topic.objects.get(pk=topic.pk).planned_month == 7


def test_topic_edit_page_for_closed_topic(client, staff_user, topic):
    Topic.objects.filter(pk=topic.pk).update(state=Topic.State.CLOSED)
    client.force_login(staff_user)
    url = f"/workbench/consultations/topics/{topic.pk}/edit/"
    response = client.post(url, {"title": "新名称", "type": "forum"}, follow=True)
    assert "议题已办结，不能再修改。" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).title == "优化营商环境"


# --- API ---------------------------------------------------------------------------------------------


def test_api_patch_meeting(api, staff_user, meeting, member):
    new_start = at(33, hour=10)
    r = api(staff_user).patch(
        f"{API}/meetings/{meeting.pk}/", {"start": new_start.isoformat()}, format="json"
    )
    assert r.status_code == 200, r.data
    expected = services.meeting_deadlines(new_start.date())
    assert r.data["notice_due"] == expected["notice_due"].isoformat()
    assert r.data["minutes_due"] == expected["minutes_due"].isoformat()
    assert [n.recipient_id for n in changed_notices()] == [member.user_id]
    # a past start: a Chinese 400 and nothing changed
    r = api(staff_user).patch(
        f"{API}/meetings/{meeting.pk}/", {"start": "2020-01-01T09:00:00+08:00"}, format="json"
    )
    assert r.status_code == 400 and "开始时间已过" in r.data["detail"]
    assert Meeting.objects.get(pk=meeting.pk).start == new_start


def test_api_patch_held_meeting_is_400(api, staff_user, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.HELD)
    r = api(staff_user).patch(f"{API}/meetings/{meeting.pk}/", {"place": "别处"}, format="json")
    assert r.status_code == 400 and "不能再修改" in r.data["detail"]


def test_api_patch_meeting_wrong_roles(api, meeting, member_user, leader_user, department_user, sector):
    outsider = make_user("member9", Role.MEMBER, name="孙委员")
    Member.objects.create(user=outsider, name="孙委员", gender=Member.Gender.MALE, sector=sector)
    url = f"{API}/meetings/{meeting.pk}/"
    body = {"start": at(40).isoformat()}
    assert api(member_user).patch(url, body, format="json").status_code == 403  # invited: sees, may not edit
    assert api(leader_user).patch(url, body, format="json").status_code == 403
    assert api(outsider).patch(url, body, format="json").status_code == 404  # not invited: does not see it
    assert api(department_user).patch(url, body, format="json").status_code == 404
    assert api().patch(url, body, format="json").status_code in (401, 403)
    assert Meeting.objects.get(pk=meeting.pk).start == at(20)


def test_api_patch_topic(api, staff_user, topic, department, member_user, leader_user, department_user):
    url = f"{API}/topics/{topic.pk}/"
    r = api(staff_user).patch(url, {"planned_month": 11, "departments": [department.pk]}, format="json")
    assert r.status_code == 200, r.data
    assert r.data["planned_month"] == 11 and r.data["departments"] == [department.pk]
    assert r.data["title"] == "优化营商环境"  # unsent fields keep their value
    r = api(staff_user).patch(url, {"title": ""}, format="json")
    assert r.status_code == 400
    assert api(member_user).patch(url, {"title": "x"}, format="json").status_code == 403
    assert api(leader_user).patch(url, {"title": "x"}, format="json").status_code == 403
    # the department now cooperates on it, so it sees it but may not edit it
    assert api(department_user).patch(url, {"title": "x"}, format="json").status_code == 403
    Topic.objects.filter(pk=topic.pk).update(state=Topic.State.CLOSED)
    r = api(staff_user).patch(url, {"title": "再改"}, format="json")
    assert r.status_code == 400 and "已办结" in r.data["detail"]
    assert Topic.objects.get(pk=topic.pk).title == "优化营商环境"


def test_api_patch_topic_invisible_is_404(api, staff_user, department_user):
    draft = services.plan_create(actor=staff_user, year=2030)
    hidden = services.topic_create(actor=staff_user, plan=draft, title="未批准议题", type="forum")
    assert api(department_user).patch(f"{API}/topics/{hidden.pk}/", {}, format="json").status_code == 404


# --- admin -------------------------------------------------------------------------------------------


def admin_data(response, **changes):
    """The posted change form as the browser would send it, with `changes` applied."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.SplitDateTimeField):
            day, moment = field.widget.decompress(value)
            data[f"{name}_0"], data[f"{name}_1"] = f"{day:%Y-%m-%d}", f"{moment:%H:%M:%S}"
        elif value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[sub.add_prefix(name)] = value
    data.update(changes)
    return data


def split(moment):
    local = timezone.localtime(moment)
    return {"start_0": f"{local:%Y-%m-%d}", "start_1": f"{local:%H:%M:%S}"}


def test_admin_save_goes_through_the_service(client, staff_user, meeting, member):
    client.force_login(staff_user)
    url = f"/admin/consultations/meeting/{meeting.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    new_start = at(45, hour=9)
    # the start moves past the old end and the end is left as it was: the service keeps the length
    data = admin_data(page, **split(new_start), place="市民中心")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.start == new_start and meeting.end == new_start + timedelta(hours=3)
    assert meeting.place == "市民中心"
    assert meeting.notice_due == services.meeting_deadlines(new_start.date())["notice_due"]
    assert [n.recipient_id for n in changed_notices()] == [member.user_id]
    assert TransitionLog.objects.filter(object_id=meeting.pk, action="reschedule", actor=staff_user).exists()


def test_admin_past_start_shows_the_service_message(client, staff_user, meeting):
    client.force_login(staff_user)
    url = f"/admin/consultations/meeting/{meeting.pk}/change/"
    before = snapshot(meeting)
    data = admin_data(client.get(url), **split(timezone.now() - timedelta(days=2)))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "新的开始时间已过，请选择今后的时间。" in response.content.decode()
    assert snapshot(meeting) == before and changed_notices() == []


def test_admin_held_meeting_is_read_only(client, staff_user, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.HELD)
    client.force_login(staff_user)
    page = client.get(f"/admin/consultations/meeting/{meeting.pk}/change/")
    assert "start" not in page.context["adminform"].form.fields


def test_admin_topic_save_goes_through_the_service(client, staff_user, topic):
    client.force_login(staff_user)
    url = f"/admin/consultations/topic/{topic.pk}/change/"
    data = admin_data(client.get(url), title="后台修改的议题", planned_month="10")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    topic.refresh_from_db()
    assert (topic.title, topic.planned_month) == ("后台修改的议题", 10)
    assert AuditEntry.objects.filter(action="consultation_topic_update", object_id=str(topic.pk)).exists()
    response = client.post(url, admin_data(client.get(url), planned_month="13"))
    assert response.status_code == 200 and "计划月份应为1至12。" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).planned_month == 10


def test_plan_admin_topic_inline_is_display_only(client, staff_user, topic):
    client.force_login(staff_user)
    page = client.get(f"/admin/consultations/consultationplan/{topic.plan_id}/change/")
    formset = page.context["inline_admin_formsets"][0].formset
    assert "title" not in formset.forms[0].fields


# --- the day-before reminder -------------------------------------------------------------------------


def reminded(user_id):
    return Notification.objects.filter(recipient_id=user_id, title__startswith="明日协商活动").count()


def test_rescheduled_meeting_is_reminded_for_the_new_day_once(meeting, staff_user, member, other_member):
    first_day = timezone.localtime(meeting.start).date()
    reminders_scan(today=first_day - timedelta(days=1))
    assert reminded(member.user_id) == 1 and reminded(other_member.user_id) == 0

    new_start = at(27, hour=15)
    services.meeting_update(actor=staff_user, meeting=meeting, start=new_start)
    new_day = new_start.date()
    # the old day's reminder is not sent again; the new day's is sent once however often the scan runs
    reminders_scan(today=first_day - timedelta(days=1))
    assert reminded(member.user_id) == 1
    reminders_scan(today=new_day - timedelta(days=1))
    reminders_scan(today=new_day - timedelta(days=1))
    assert reminded(member.user_id) == 2
    latest = Notification.objects.filter(title__startswith="明日协商活动").latest("id")
    assert f"{timezone.localtime(new_start):%m月%d日 %H:%M}" in latest.body
    # moved to another hour of the same day: not reminded twice for that day
    services.meeting_update(actor=staff_user, meeting=meeting, start=at(27, hour=9))
    reminders_scan(today=new_day - timedelta(days=1))
    assert reminded(member.user_id) == 2
    assert Reminder.objects.filter(source=MeetingTomorrow.name, state=Reminder.State.SENT).count() == 2


def test_pending_reminder_for_the_old_day_is_skipped(meeting, staff_user, member):
    """A reminder proposed for the old day but delivered after the move is not sent."""
    day = timezone.localtime(meeting.start).date()
    source = MeetingTomorrow()
    candidates = list(source.candidates(day - timedelta(days=1)))
    assert len(candidates) == 1
    services.meeting_update(actor=staff_user, meeting=meeting, start=at(30))
    c = candidates[0]
    row = Reminder.objects.create(
        source=source.name,
        content_type=ContentType.objects.get_for_model(c.model),
        object_id=c.object_id,
        kind=c.kind,
        threshold=c.threshold,
        scan_date=day - timedelta(days=1),
    )
    assert source.render([row], day - timedelta(days=1)) == {row.pk: None}


def test_admin_leader_may_only_view(client, leader_user, staff_user, meeting):
    url = f"/admin/consultations/meeting/{meeting.pk}/change/"
    client.force_login(staff_user)
    data = admin_data(client.get(url), **split(at(40)))
    client.force_login(leader_user)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).start == at(20)
