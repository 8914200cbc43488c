"""Activities between sessions: services (attendance → duty records, reports, cases → 社情民意, coverage),
the API and pages with every permission rule, constant query counts, the report DOCX, reminders, admin."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document

from activities import selectors, services
from activities.models import Activity, Case, Group, Participant, Station, SupervisorAppointment
from conftest import make_user
from consultations.models import Meeting
from members.models import DutyRecord, Member
from members.scoring import year_scores
from sqyy.models import OpinionReport
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import Notification
from zhengxie.notifications.services import reminders_scan
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _past(days=3):
    return _at(timezone.localdate() - timedelta(days=days))


def _future(days=3):
    return _at(timezone.localdate() + timedelta(days=days))


@pytest.fixture
def station(staff_user, member):
    return services.station_create(
        actor=staff_user, name="城关委员工作站", address="城关街道", members=[member]
    )


@pytest.fixture
def held(staff_user, member, other_member):
    return services.activity_create(
        actor=staff_user,
        kind=Activity.Kind.INSPECTION,
        title="视察老旧小区改造",
        start=_past(),
        place="城关街道",
        participants=[member, other_member],
    )


# --- services -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", Activity.Kind.values)
def test_present_makes_a_confirmed_duty_record_of_the_matching_kind(kind, staff_user, member, station):
    activity = services.activity_create(
        actor=staff_user, kind=kind, title="活动", start=_past(), participants=[member], station=station
    )
    services.activity_set_attendance(actor=staff_user, activity=activity, member=member, status="present")
    record = DutyRecord.objects.get(member=member, kind=Activity.DUTY_KIND[kind])
    assert record.status == DutyRecord.Status.CONFIRMED
    assert record.source == activity
    assert record.date == timezone.localdate() - timedelta(days=3)
    # Recording again never counts twice.
    services.activity_set_attendance(actor=staff_user, activity=activity, member=member, status="present")
    assert DutyRecord.objects.filter(member=member, kind=Activity.DUTY_KIND[kind]).count() == 1


def test_correcting_present_to_leave_removes_the_record(staff_user, member, held):
    services.activity_set_attendance(actor=staff_user, activity=held, member=member, status="present")
    services.activity_set_attendance(actor=staff_user, activity=held, member=member, status="leave")
    assert not DutyRecord.objects.filter(member=member, kind="inspection").exists()
    assert Participant.objects.get(activity=held, member=member).status == "leave"
    assert AuditEntry.objects.filter(action="activity_attendance").count() == 2


def test_attendance_of_a_member_not_invited_adds_them(staff_user, held, make_member):
    walk_in = make_member("临时参加")
    services.activity_set_attendance(actor=staff_user, activity=held, member=walk_in, status="present")
    assert Participant.objects.filter(activity=held, member=walk_in, status="present").exists()


def test_attendance_refused_before_the_day_and_on_cancelled(staff_user, member):
    later = services.activity_create(
        actor=staff_user, kind="research", title="调研", start=_future(), participants=[member]
    )
    with pytest.raises(DomainError):
        services.activity_set_attendance(actor=staff_user, activity=later, member=member, status="present")
    services.activity_cancel(actor=staff_user, activity=later)
    with pytest.raises(DomainError):
        services.activity_set_attendance(actor=staff_user, activity=later, member=member, status="present")


def test_new_kinds_score_through_the_scheme(staff_user, member):
    for kind in ("supervision", "hearing", "reception"):
        activity = services.activity_create(
            actor=staff_user,
            kind=kind,
            title=kind,
            start=_past(),
            participants=[member],
            station=Station.objects.get_or_create(name="站")[0] if kind == "reception" else None,
        )
        services.activity_set_attendance(actor=staff_user, activity=activity, member=member, status="present")
    row = next(r for r in year_scores(timezone.localdate().year) if r.member_id == member.pk)
    assert row.total == 6  # 2 points each in the 会议活动 group (the year's scheme and the defaults)


def test_future_activity_invites_and_past_one_does_not(staff_user, member, other_member):
    services.activity_create(
        actor=staff_user, kind="research", title="调研A", start=_future(), participants=[member]
    )
    assert Notification.objects.filter(recipient=member.user, title__contains="调研A").count() == 1
    services.activity_create(
        actor=staff_user, kind="research", title="补录B", start=_past(), participants=[member]
    )
    assert not Notification.objects.filter(title__contains="补录B").exists()


def test_group_members_are_invited_when_no_participants_given(staff_user, member, other_member):
    group = services.group_create(
        actor=staff_user, name="经济界别活动组", kind="sector_group", convener=member
    )
    group.members.add(other_member)
    activity = services.activity_create(
        actor=staff_user, kind="research", title="组活动", start=_past(), group=group
    )
    assert set(activity.participants.values_list("member_id", flat=True)) == {member.pk, other_member.pk}


def test_reception_day_needs_a_station(staff_user):
    with pytest.raises(DomainError):
        services.activity_create(actor=staff_user, kind="reception", title="接待日", start=_future())


def test_report_marks_done_and_is_audited(staff_user, held):
    services.activity_report(actor=staff_user, activity=held, content="情况\n建议", suggestion_count=4)
    held.refresh_from_db()
    assert (held.state, held.suggestion_count) == ("done", 4)
    assert AuditEntry.objects.filter(action="activity_report").exists()


def test_only_staff_write_activities(leader_user, member_user, member, held):
    for actor in (leader_user, member_user):
        with pytest.raises(PermissionDenied):
            services.activity_create(actor=actor, kind="research", title="x", start=_future())
        with pytest.raises(PermissionDenied):
            services.activity_set_attendance(actor=actor, activity=held, member=member, status="present")


def test_case_counts_as_contact_and_turns_into_a_submitted_opinion(member_user, member, station):
    case = services.case_create(
        actor=member_user, title="路灯坏了", content="东门路灯坏了两周。", station=station, people=12
    )
    contact = DutyRecord.objects.get(member=member, kind="constituency_contact")
    assert contact.people == 12 and contact.source == case
    report = services.case_to_opinion(actor=member_user, case=case)
    case.refresh_from_db()
    assert case.state == Case.State.CONVERTED and case.opinion_report == report
    assert report.state == OpinionReport.State.SUBMITTED and report.reflector == member
    assert report.title == "路灯坏了" and "东门路灯" in report.content
    assert DutyRecord.objects.filter(member=member, kind="opinion_submitted").count() == 1
    with pytest.raises(DomainError):
        services.case_to_opinion(actor=member_user, case=case)
    with pytest.raises(DomainError):
        services.case_resolve(actor=member_user, case=case, content="x")


def test_staff_resolve_tells_the_member(staff_user, member_user, member):
    case = services.case_create(actor=member_user, title="积水", content="雨天积水。")
    services.case_resolve(actor=staff_user, case=case, content="街道已疏通排水管。")
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_by == staff_user
    assert Notification.objects.filter(recipient=member_user, title__contains="积水").exists()


def test_other_member_and_leader_cannot_resolve_or_convert(
    member_user, other_member, leader_user, staff_user
):
    case = services.case_create(actor=member_user, title="积水", content="雨天积水。")
    for actor in (other_member.user, leader_user):
        with pytest.raises(PermissionDenied):
            services.case_resolve(actor=actor, case=case, content="x")
    for actor in (other_member.user, leader_user, staff_user):
        with pytest.raises(PermissionDenied):
            services.case_to_opinion(actor=actor, case=case)


def test_case_counts_per_year(member_user):
    a = services.case_create(actor=member_user, title="a", content="a")
    services.case_create(actor=member_user, title="b", content="b")
    services.case_resolve(actor=member_user, case=a, content="done")
    old = services.case_create(actor=member_user, title="old", content="old")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now().replace(year=timezone.now().year - 1))
    assert selectors.case_counts(timezone.localdate().year) == {"opened": 2, "resolved": 1, "converted": 0}


def test_training_coverage_arithmetic(staff_user, make_member):
    year = timezone.localdate().year
    people = [make_member(f"委员{i}") for i in range(5)]
    # Two of the five were appointed in an earlier year; three are new this year.
    Member.objects.filter(pk__in=[people[0].pk, people[1].pk]).update(
        created_at=timezone.now().replace(year=year - 1)
    )
    Member.objects.filter(pk=people[4].pk).update(status=Member.Status.RESIGNED)  # not serving: not counted
    for title in ("培训一", "培训二"):
        course = services.activity_create(
            actor=staff_user, kind="training", title=title, start=_past(), participants=people
        )
        for p in (people[0], people[2], people[4]):
            services.activity_set_attendance(actor=staff_user, activity=course, member=p, status="present")
    figures = selectors.training_coverage(year)
    # serving: 4 (people 0..3); trained serving: people 0 and 2 (each counted once) → 50.0%
    # new serving: people 2, 3 → trained 1 → 50.0%
    assert figures["serving"] == 4 and figures["trained"] == 2 and figures["coverage"] == 50.0
    assert figures["new_members"] == 2 and figures["new_trained"] == 1 and figures["new_coverage"] == 50.0
    stats = selectors.activity_year_stats(year)
    assert stats["training"] == 2 and stats["training_person_times"] == 6 and stats["members_trained"] == 2


def test_supervisor_register_by_date(staff_user, member):
    services.supervisor_appoint(
        actor=staff_user,
        member=member,
        office="市市场监管局",
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    assert selectors.supervisors(on=date(2025, 6, 1)).count() == 1
    assert selectors.supervisors(on=date(2026, 6, 1)).count() == 0
    with pytest.raises(DomainError):
        services.supervisor_appoint(
            actor=staff_user,
            member=member,
            office="x",
            start_date=date(2025, 1, 1),
            end_date=date(2024, 1, 1),
        )


def test_calendar_flags_a_day_with_a_meeting_and_an_activity(staff_user, member):
    day = timezone.localdate() + timedelta(days=2)
    Meeting.objects.create(
        title="常委会议", type="standing_committee", start=_at(day, 9), end=_at(day, 11), place="会议室"
    )
    services.activity_create(actor=staff_user, kind="research", title="调研", start=_at(day, 14))
    cal = selectors.month_calendar(day.year, day.month)
    entry = next(d for d in cal["days"] if d["date"] == day)
    assert entry["clash"] and [i["title"] for i in entry["items"]] == ["常委会议", "调研"]


def test_reminder_the_day_before(staff_user, member, other_member):
    today = timezone.localdate()
    activity = services.activity_create(
        actor=staff_user,
        kind="inspection",
        title="明日视察",
        start=_at(today + timedelta(days=1)),
        participants=[member, other_member],
    )
    Participant.objects.filter(activity=activity, member=other_member).update(status="leave")
    Notification.objects.all().delete()
    reminders_scan(today=today)
    reminders_scan(today=today)
    assert list(
        Notification.objects.filter(title__contains="明日视察").values_list("recipient", flat=True)
    ) == [member.user_id]


def test_report_docx_reads_back(staff_user, member, other_member, held):
    services.activity_set_attendance(actor=staff_user, activity=held, member=member, status="present")
    services.activity_report(
        actor=staff_user, activity=held, content="实地察看三个小区。\n建议加快加装电梯。", suggestion_count=3
    )
    from activities.documents import activity_report_docx

    held.refresh_from_db()
    doc = Document(io.BytesIO(activity_report_docx(held, selectors.activity_participants(held))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "视察报告" in text and "视察老旧小区改造" in text
    assert member.name in text and other_member.name not in text  # only who was present
    assert "建议加快加装电梯。" in text and "共提出意见建议3条" in text


def test_admin_cannot_write(rf, staff_user):
    request = rf.get("/admin/")
    request.user = make_user("root", Role.STAFF, is_staff=True, is_superuser=True)
    for model in (Activity, Participant, Station, Group, SupervisorAppointment, Case):
        if model not in admin.site._registry:
            continue
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None)
            assert not inline.has_change_permission(request)
            assert not inline.has_delete_permission(request)


# --- API ------------------------------------------------------------------------------------------------


def test_api_create_attend_report(api, staff_user, member, other_member):
    client = api(staff_user)
    start = _past().isoformat()
    response = client.post(
        "/api/v1/activities/",
        {
            "kind": "hearing",
            "title": "重大案件庭审旁听",
            "start": start,
            "place": "市中院",
            "participants": [member.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    response = client.post(
        f"/api/v1/activities/{pk}/attendance/", {"member": member.pk, "status": "present"}, format="json"
    )
    assert response.status_code == 200 and response.data["present_count"] == 1
    assert DutyRecord.objects.filter(member=member, kind="hearing", status="confirmed").exists()
    response = client.post(
        f"/api/v1/activities/{pk}/attendance/", {"member": member.pk, "status": "invited"}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/activities/{pk}/report/", {"content": "旁听情况", "suggestion_count": 2}, format="json"
    )
    assert response.status_code == 200 and response.data["state"] == "done"
    response = client.get(f"/api/v1/activities/{pk}/report-docx/")
    assert response.status_code == 200 and Document(io.BytesIO(response.content)).paragraphs
    assert client.get("/api/v1/activities/", {"kind": "nonsense"}).status_code == 400
    assert client.get("/api/v1/activities/coverage/").data["serving"] == 2
    stats = client.get("/api/v1/activities/year-stats/").data
    assert stats["activities"]["hearing"] == 1 and stats["activities"]["hearing_person_times"] == 1
    assert stats["cases"] == {"opened": 0, "resolved": 0, "converted": 0}


def test_api_permissions_activities(
    api, staff_user, leader_user, member, other_member, department_user, held
):
    future_other = services.activity_create(
        actor=staff_user, kind="research", title="公开报名", start=_future(), participants=[other_member]
    )
    private_past = services.activity_create(
        actor=staff_user, kind="research", title="已结束", start=_past(), participants=[other_member]
    )
    mc, lc, dc = api(member.user), api(leader_user), api(department_user)
    payload = {"kind": "research", "title": "x", "start": _future().isoformat()}
    assert mc.post("/api/v1/activities/", payload, format="json").status_code == 403
    assert lc.post("/api/v1/activities/", payload, format="json").status_code == 403
    assert dc.get("/api/v1/activities/").status_code == 403
    assert api().get("/api/v1/activities/").status_code in (401, 403)
    # A member sees their own and open future ones, not a past one they were not in.
    assert mc.get(f"/api/v1/activities/{held.pk}/").status_code == 200
    assert mc.get(f"/api/v1/activities/{future_other.pk}/").status_code == 200
    assert mc.get(f"/api/v1/activities/{private_past.pk}/").status_code == 404
    assert mc.post(f"/api/v1/activities/{private_past.pk}/attendance/", {}, format="json").status_code == 404
    body = {"member": member.pk, "status": "present"}
    assert mc.post(f"/api/v1/activities/{held.pk}/attendance/", body, format="json").status_code == 403
    assert lc.post(f"/api/v1/activities/{held.pk}/attendance/", body, format="json").status_code == 403
    assert (
        mc.post(f"/api/v1/activities/{held.pk}/report/", {"content": "x"}, format="json").status_code == 403
    )
    assert mc.get(f"/api/v1/activities/{held.pk}/report-docx/").status_code == 403
    assert mc.get("/api/v1/activities/coverage/").status_code == 403
    assert mc.get("/api/v1/activities/year-stats/").status_code == 403
    assert lc.get("/api/v1/activities/year-stats/").status_code == 200
    # Sign-up: a member joins the open future one once.
    assert mc.post(f"/api/v1/activities/{future_other.pk}/sign-up/").status_code == 201
    assert mc.post(f"/api/v1/activities/{future_other.pk}/sign-up/").status_code == 400
    assert api(staff_user).post(f"/api/v1/activities/{future_other.pk}/sign-up/").status_code == 403


def test_api_cases_and_permissions(
    api, staff_user, leader_user, member, other_member, department_user, station
):
    mc = api(member.user)
    response = mc.post(
        "/api/v1/cases/",
        {"title": "路灯", "content": "坏了", "station": station.pk, "people": 3},
        format="json",
    )
    assert response.status_code == 201 and response.data["state"] == "open"
    pk = response.data["id"]
    oc = api(other_member.user)
    assert oc.get(f"/api/v1/cases/{pk}/").status_code == 404
    assert oc.post(f"/api/v1/cases/{pk}/resolve/", {"content": "x"}, format="json").status_code == 404
    assert oc.post(f"/api/v1/cases/{pk}/to-opinion/").status_code == 404
    assert oc.get("/api/v1/cases/").data["count"] == 0
    assert api(department_user).get("/api/v1/cases/").status_code == 403
    assert (
        api(staff_user).post("/api/v1/cases/", {"title": "x", "content": "y"}, format="json").status_code
        == 403
    )
    assert (
        api(leader_user).post(f"/api/v1/cases/{pk}/resolve/", {"content": "x"}, format="json").status_code
        == 403
    )
    assert api(staff_user).post(f"/api/v1/cases/{pk}/to-opinion/").status_code == 403
    response = mc.post(f"/api/v1/cases/{pk}/to-opinion/")
    assert response.status_code == 201 and response.data["state"] == "submitted"
    assert OpinionReport.objects.get(pk=response.data["opinion_report"]).case.pk == pk
    assert mc.get(f"/api/v1/cases/{pk}/").data["state"] == "converted"


def test_api_stations_groups_supervisors(api, staff_user, leader_user, member, other_member, department_user):
    sc = api(staff_user)
    response = sc.post(
        "/api/v1/stations/",
        {"name": "工作室", "kind": "studio", "address": "一中", "members": [member.pk]},
        format="json",
    )
    assert response.status_code == 201 and response.data["members"] == [member.pk]
    assert api(member.user).post("/api/v1/stations/", {"name": "y"}, format="json").status_code == 403
    assert api(leader_user).post("/api/v1/stations/", {"name": "z"}, format="json").status_code == 403
    assert api(department_user).get("/api/v1/stations/").status_code == 403
    assert api(member.user).get("/api/v1/stations/").data["count"] == 1
    response = sc.post(
        "/api/v1/groups/",
        {"name": "教育界别活动组", "kind": "sector_group", "convener": member.pk, "members": []},
        format="json",
    )
    assert response.status_code == 201 and response.data["members"] == [member.pk]
    gid = response.data["id"]
    assert api(member.user).get(f"/api/v1/groups/{gid}/").status_code == 200
    assert api(other_member.user).get(f"/api/v1/groups/{gid}/").status_code == 404
    assert (
        api(member.user)
        .post("/api/v1/groups/", {"name": "g", "kind": "sector_group"}, format="json")
        .status_code
        == 403
    )
    body = {"member": member.pk, "office": "市公安局", "kind": "special", "start_date": "2026-01-01"}
    assert sc.post("/api/v1/supervisors/", body, format="json").status_code == 201
    assert api(leader_user).get("/api/v1/supervisors/").data["count"] == 1
    assert api(leader_user).post("/api/v1/supervisors/", body, format="json").status_code == 403
    assert api(member.user).get("/api/v1/supervisors/").status_code == 403


# --- pages ----------------------------------------------------------------------------------------------


def test_member_reports_a_case_on_the_page_and_staff_resolve_it(client, member_user, staff_user, station):
    client.force_login(member_user)
    response = client.post(
        "/cases/new/",
        {"title": "井盖缺失", "content": "人行道井盖缺失。", "station": station.pk, "people": "5"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert "井盖缺失" in client.get("/cases/").content.decode()
    client.force_login(staff_user)
    client.post(f"/cases/{case.pk}/resolve/", {"content": "已补装井盖。"})
    client.force_login(member_user)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已解决" in page and "已补装井盖。" in page


def test_page_permissions(client, staff_user, leader_user, member_user, other_member, department_user, held):
    case = services.case_create(actor=member_user, title="x", content="y")
    client.force_login(other_member.user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/resolve/", {"content": "z"}).status_code == 404
    assert client.post(f"/cases/{case.pk}/to-opinion/").status_code == 404
    assert client.get("/workbench/activities/").status_code == 403
    assert client.post(f"/workbench/activities/{held.pk}/attendance/", {}).status_code == 403
    client.force_login(department_user)
    for url in ("/activities/", "/cases/", "/stations/", "/groups/", "/workbench/activities/calendar/"):
        assert client.get(url).status_code == 403, url
    client.force_login(leader_user)
    assert client.get("/workbench/activities/").status_code == 200
    assert client.post("/workbench/activities/", {"kind": "research"}).status_code == 403
    assert client.post(f"/workbench/activities/{held.pk}/report/", {"content": "x"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/resolve/", {"content": "z"}).status_code == 403
    assert client.get("/cases/new/").status_code == 403
    client.force_login(staff_user)
    assert client.post(f"/cases/{case.pk}/to-opinion/").status_code == 403


def test_staff_create_activity_take_attendance_and_download(client, staff_user, member):
    client.force_login(staff_user)
    start = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/workbench/activities/",
        {"kind": "research", "title": "乡村振兴调研", "start": start, "participants": [member.pk]},
    )
    activity = Activity.objects.get()
    assert response["Location"] == f"/workbench/activities/{activity.pk}/"
    client.post(
        f"/workbench/activities/{activity.pk}/attendance/", {"member": member.pk, "status": "present"}
    )
    assert DutyRecord.objects.filter(member=member, kind="research").exists()
    client.post(
        f"/workbench/activities/{activity.pk}/report/", {"content": "调研报告正文", "suggestion_count": "2"}
    )
    response = client.get(f"/workbench/activities/{activity.pk}/report.docx")
    assert "调研报告正文" in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    for url in (
        "/workbench/activities/calendar/",
        "/workbench/activities/registers/",
        "/stations/",
        "/cases/",
    ):
        assert client.get(url).status_code == 200, url


# --- query counts constant in rows --------------------------------------------------------------------------


def _add_rows(staff_user, members, station, n):
    for i in range(n):
        m = members[i % len(members)]
        activity = services.activity_create(
            actor=staff_user,
            kind="inspection",
            title=f"视察{i}{Activity.objects.count()}",
            start=_past(),
            participants=members,
            station=station,
        )
        services.activity_set_attendance(actor=staff_user, activity=activity, member=m, status="present")
        services.case_create(actor=m.user, title=f"民情{i}", content="内容", station=station)
        services.station_create(actor=staff_user, name=f"站{Station.objects.count()}", members=members)
        services.group_create(
            actor=staff_user,
            name=f"组{Group.objects.count()}",
            kind="sector_group",
            convener=m,
            members=members,
        )
        services.supervisor_appoint(actor=staff_user, member=m, office=f"局{i}", start_date=date(2026, 1, 1))


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who,url",
    [
        ("staff", "/api/v1/activities/"),
        ("staff", "/api/v1/cases/"),
        ("staff", "/api/v1/stations/"),
        ("staff", "/api/v1/groups/"),
        ("staff", "/api/v1/supervisors/"),
        ("member", "/api/v1/activities/"),
        ("member", "/api/v1/cases/"),
        ("staff", "/workbench/activities/"),
        ("staff", "/workbench/activities/calendar/"),
        ("staff", "/workbench/activities/registers/"),
        ("staff", "/cases/"),
        ("staff", "/stations/"),
        ("member", "/activities/"),
        ("member", "/cases/"),
        ("member", "/stations/"),
        ("member", "/groups/"),
        ("staff", "/groups/"),
    ],
)
def test_list_queries_do_not_grow_with_rows(who, url, api, client, staff_user, member, other_member, station):
    user = staff_user if who == "staff" else member.user
    members = [member, other_member]
    if url.startswith("/api/"):
        c = api(user)
    else:
        c = client
        c.force_login(user)
    _add_rows(staff_user, members, station, 2)
    few = _count(lambda: c.get(url))
    _add_rows(staff_user, members, station, 4)
    many = _count(lambda: c.get(url))
    assert many == few, (url, few, many)


def test_seed_demo_loads_activities_once(capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    counts = (Station.objects.count(), Activity.objects.count(), Case.objects.count())
    assert counts[0] == 2 and counts[1] == 3 and counts[2] == 3
    assert Case.objects.filter(state="resolved").count() == 1
    assert Case.objects.filter(state="converted", opinion_report__isnull=False).count() == 1
    assert DutyRecord.objects.filter(kind="inspection").count() == 3
    call_command("seed_demo")
    assert (Station.objects.count(), Activity.objects.count(), Case.objects.count()) == counts


def test_year_figures_have_the_cases_line(member_user):
    from proposals.year_figures import year_figures

    a = services.case_create(actor=member_user, title="a", content="a")
    services.case_create(actor=member_user, title="b", content="b")
    services.case_resolve(actor=member_user, case=a, content="done")
    figures = year_figures(timezone.localdate().year)
    assert figures["cases"]["opened"] == 2 and figures["cases"]["resolved"] == 1


def test_staff_register_groups_and_supervisors_on_the_page(
    client, staff_user, leader_user, member, other_member
):
    client.force_login(staff_user)
    client.post(
        "/workbench/activities/groups/new/",
        {
            "name": "农业界别活动组",
            "kind": "sector_group",
            "convener": member.pk,
            "members": [other_member.pk],
        },
    )
    group = Group.objects.get()
    assert group.convener == member and set(group.members.all()) == {member, other_member}
    client.post(
        "/workbench/activities/supervisors/new/",
        {"member": member.pk, "kind": "special", "office": "市税务局", "start_date": "2026-01-01"},
    )
    assert SupervisorAppointment.objects.get().office == "市税务局"
    page = client.get("/workbench/activities/registers/").content.decode()
    assert "农业界别活动组" in page and "市税务局" in page
    client.force_login(leader_user)
    assert (
        client.post("/workbench/activities/groups/new/", {"name": "x", "kind": "sector_group"}).status_code
        == 403
    )
    assert client.post("/workbench/activities/supervisors/new/", {}).status_code == 403
    client.force_login(member.user)
    assert client.get("/workbench/activities/registers/").status_code == 403
    assert AuditEntry.objects.filter(action__in=["group_create", "supervisor_appoint"]).count() == 2


@pytest.mark.parametrize("value", ["0", "99999999", "²", "abc", "-1"])
def test_bad_years_and_months_never_crash(value, api, client, staff_user):
    assert api(staff_user).get("/api/v1/activities/", {"year": value}).status_code == 200
    assert api(staff_user).get("/api/v1/activities/coverage/", {"year": value}).status_code == 400
    assert api(staff_user).get("/api/v1/activities/year-stats/", {"year": value}).status_code == 400
    client.force_login(staff_user)
    assert client.get("/workbench/activities/registers/", {"year": value}).status_code == 200
    assert client.get("/workbench/activities/calendar/", {"month": f"{value}-13"}).status_code == 200
    assert client.get("/workbench/activities/calendar/", {"month": f"2026-{value}"}).status_code == 200


def test_staff_lists_show_fifty_rows_a_page(client, staff_user):
    """The activities and meetings lists page their rows (they rendered the newest 200 on every view)."""
    from activities.views import STAFF_PER_PAGE
    from consultations.views import MEETINGS_PER_PAGE

    Activity.objects.bulk_create(
        Activity(kind="research", title=f"调研{i:03d}", start=_past(days=i + 1))
        for i in range(STAFF_PER_PAGE + 1)
    )
    Meeting.objects.bulk_create(
        Meeting(type="standing_committee", title=f"协商{i:03d}", start=_past(days=i + 1), end=_past(days=i))
        for i in range(MEETINGS_PER_PAGE + 1)
    )
    client.force_login(staff_user)
    first, second = client.get("/workbench/activities/"), client.get("/workbench/activities/?page=2")
    assert first.content.decode().count("调研0") == STAFF_PER_PAGE and "调研000" in first.content.decode()
    assert second.content.decode().count("调研0") == 1 and "调研050" in second.content.decode()
    assert "第 1 / 2 页" in first.content.decode()
    first, second = (
        client.get("/workbench/consultations/meetings/"),
        client.get("/workbench/consultations/meetings/?page=2"),
    )
    assert (
        first.content.decode().count(">协商0") == MEETINGS_PER_PAGE and ">协商050<" in second.content.decode()
    )
    # a page that is not a number, or past the end, is the first or the last page (never an error)
    for url in ("/workbench/activities/", "/workbench/consultations/meetings/"):
        assert "第 1 / 2 页" in client.get(url, {"page": "abc\x00"}).content.decode()
        assert "第 2 / 2 页" in client.get(url, {"page": "99999"}).content.decode()


def test_cases_and_a_members_past_activities_are_paged(client, staff_user, member, station):
    """The 民情 lists (staff: 50 a page, a member: 20) and a member's past activities (20 a page, the coming
    ones above them) page their rows: they rendered the newest 200 and 100 on every view."""
    from activities.views import MEMBER_PER_PAGE, STAFF_PER_PAGE

    Case.objects.bulk_create(
        Case(member=member, station=station, title=f"民情{i:03d}", content="路灯不亮。")
        for i in range(STAFF_PER_PAGE + 1)
    )
    past = Activity.objects.bulk_create(
        Activity(kind="research", title=f"调研{i:03d}", start=_past(days=i + 1))
        for i in range(MEMBER_PER_PAGE + 1)
    )
    Participant.objects.bulk_create(Participant(activity=a, member=member) for a in past)
    Activity.objects.create(kind="research", title="将来的调研", start=_future(days=2))
    client.force_login(staff_user)
    pages = [client.get("/cases/").content.decode(), client.get("/cases/?page=2").content.decode()]
    assert [p.count(">民情0") for p in pages] == [STAFF_PER_PAGE, 1]
    assert all("分页" not in p.split("</title>")[0] and p.count('aria-label="分页"') == 1 for p in pages)
    assert "第 1 / 2 页" in pages[0] and "第 1 / 2 页" in client.get("/cases/?page=x\x00").content.decode()
    client.force_login(member.user)
    pages = [client.get("/cases/").content.decode(), client.get("/cases/?page=3").content.decode()]
    assert [p.count("<strong>民情0") for p in pages] == [
        MEMBER_PER_PAGE,
        STAFF_PER_PAGE + 1 - 2 * MEMBER_PER_PAGE,
    ]
    assert all("分页" not in p.split("</title>")[0] and p.count('aria-label="分页"') == 1 for p in pages)
    first, second = (
        client.get("/activities/").content.decode(),
        client.get("/activities/?page=2").content.decode(),
    )
    assert first.count("<strong>调研0") == MEMBER_PER_PAGE and "调研000" in first and "将来的调研" in first
    assert second.count("<strong>调研0") == 1 and f"调研{MEMBER_PER_PAGE:03d}" in second
    assert "第 1 / 2 页" in first


def test_the_activity_form_offers_this_and_last_years_topics_only(client, staff_user):
    from consultations.models import ConsultationPlan, ConsultationType, Topic

    year = timezone.localdate().year
    titles = {}
    for plan_year in (year - 3, year - 1, year):
        plan = ConsultationPlan.objects.create(year=plan_year)
        titles[plan_year] = Topic.objects.create(
            plan=plan, title=f"{plan_year}年议题", type=ConsultationType.values[0]
        ).title
    client.force_login(staff_user)
    html = client.get("/workbench/activities/").content.decode()
    assert titles[year] in html and titles[year - 1] in html
    assert titles[year - 3] not in html


def test_a_members_activities_page_reads_their_own_ids_and_the_same_queries_within_a_minute(
    client, member, other_member
):
    """A member's past activities are read through the ids of their own (taken part in, or of their
    group), not by testing every activity ever held against OR-ed subqueries; the lists' "now" is the
    minute, so a second view in that minute asks the same queries (and finds its count and ids
    remembered). What the member sees is unchanged: their own and their group's, and open ones to come."""
    group = Group.objects.create(name="经济界别活动组", kind=Group.Kind.SECTOR_GROUP)
    group.members.add(member)
    mine = Activity.objects.create(kind="research", title="我参加的调研", start=_past(days=2))
    Participant.objects.create(activity=mine, member=member)
    Activity.objects.create(kind="research", title="本组的视察", start=_past(days=3), group=group)
    others = Activity.objects.create(kind="research", title="别人的调研", start=_past(days=4))
    Participant.objects.create(activity=others, member=other_member)
    Activity.objects.create(kind="research", title="开放报名的调研", start=_future(days=5))
    client.force_login(member.user)

    def view():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/activities/").content.decode()
        return html, [q["sql"] for q in queries if '"activities_activity"' in q["sql"]]

    html, first = view()
    assert "我参加的调研" in html and "本组的视察" in html and "开放报名的调研" in html
    assert "别人的调研" not in html
    assert first and all('IN (SELECT U0."activity_id"' not in sql for sql in first)  # no participant subquery
    assert any("ANY(" in sql for sql in first)
    _, second = view()
    assert set(second) <= set(first)
    assert client.get(f"/activities/{others.pk}/").status_code == 404
