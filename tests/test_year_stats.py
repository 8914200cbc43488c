"""The year's figures: a whole year of a committee replayed through the services (sessions of each kind,
consultations with their suggestions, opinions on the work reports, 调研/视察 and training attendance,
社情民意 and bulletins), then every number of the API, the page and the DOCX checked against it."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from docx import Document

from consultations import services as consultations
from consultations import sessions
from members.models import Member, Plenary
from members.services import record_duty
from proposals import year_figures
from sqyy.models import OpinionReport
from sqyy.services import bulletins as sqyy_bulletins
from sqyy.services import reports as sqyy_reports

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


def at(month, day, hour=9):
    return timezone.make_aware(datetime.combine(date(YEAR, month, day), time(hour)))


@pytest.fixture
def year_replayed(staff_user, term, make_member):
    people = [make_member(f"委员{i}", position=Member.Position.STANDING) for i in range(4)]
    plenary = Plenary.objects.create(
        term=term, number=3, start_date=date(YEAR, 1, 10), end_date=date(YEAR, 1, 13)
    )

    def held(title, type, start, **extra):
        meeting = consultations.meeting_create(
            actor=staff_user, title=title, type=type, start=start, place="会场", invitees=people, **extra
        )
        for member in people[:3]:
            consultations.meeting_record_attendance(
                actor=staff_user, meeting=meeting, member=member, status="present"
            )
        consultations.meeting_hold(actor=staff_user, meeting=meeting)
        return meeting

    held("开幕大会", "plenary", at(1, 10), plenary=plenary)
    group = held("分组讨论", "plenary", at(1, 11), plenary=plenary)
    for report, n in (("government", 3), ("court", 1), ("procuratorate", 2)):
        for i in range(n):
            sessions.report_opinion_add(actor=staff_user, meeting=group, report=report, content=f"意见{i}")
    held("常委会第一次会议", "standing_committee", at(3, 5))
    held("常委会第二次会议", "standing_committee", at(6, 5))
    held("主席会议", "chair_meeting", at(2, 1))
    # Not counted: a cancelled-looking planned meeting, and a meeting of the year before.
    consultations.meeting_create(
        actor=staff_user, title="未举行", type="standing_committee", start=at(9, 1), place="x", invitees=[]
    )
    held("上一年常委会", "standing_committee", at(12, 20) - timedelta(days=366))

    plan = consultations.plan_create(actor=staff_user, year=YEAR)
    plan = consultations.plan_approve(actor=staff_user, plan=plan, date=date(YEAR, 1, 20))
    topic = consultations.topic_create(
        actor=staff_user, plan=plan, title="优化营商环境", type="special_topic"
    )
    consultations.topic_start_research(actor=staff_user, topic=topic)
    consultations.research_activity_add(
        actor=staff_user,
        topic=topic,
        kind="research",
        date=date(YEAR, 4, 1),
        place="开发区",
        participants=people,
    )
    consultations.research_activity_add(
        actor=staff_user,
        topic=topic,
        kind="inspection",
        date=date(YEAR, 4, 9),
        place="园区",
        participants=people,
    )
    held("专题协商会", "special_topic", at(5, 10), topic=topic)
    topic.refresh_from_db()
    consultations.topic_submit_outcome(actor=staff_user, topic=topic, content="建议案", suggestion_count=12)
    for member in people[:2]:
        record_duty(actor=staff_user, member=member, kind="training", date=date(YEAR, 7, 1), note="履职培训")

    reports = []
    for i in range(3):
        report = sqyy_reports.opinion_report_create(
            actor=staff_user, title=f"社情{i}", content="内容", category="经济发展"
        )
        reports.append(sqyy_reports.opinion_report_submit(actor=staff_user, report=report))
    OpinionReport.objects.filter(pk__in=[r.pk for r in reports]).update(submitted_at=at(8, 1))
    sqyy_reports.opinion_report_adopt(actor=staff_user, report=reports[0])
    bulletin = sqyy_bulletins.bulletin_create(actor=staff_user, year=YEAR)
    sqyy_bulletins.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=reports[0])
    sqyy_bulletins.bulletin_publish(actor=staff_user, bulletin=bulletin)
    return people


def test_every_figure_comes_from_the_records(api, staff_user, year_replayed):
    figures = year_figures.year_figures(YEAR)
    assert figures["meetings"] == {
        "plenary": 1,
        "plenary_sittings": 2,
        "standing_committee": 2,
        "chair_meeting": 1,
    }
    assert figures["consultations"]["special_topic"] == {"meetings": 1, "suggestions": 12}
    assert figures["report_opinions"] == {"government": 3, "court": 1, "procuratorate": 2, "other": 0}
    activities = figures["activities"]
    assert (activities["research"], activities["inspection"]) == (1, 1)
    assert (activities["training_person_times"], activities["members_trained"]) == (2, 2)
    assert figures["opinion_reports"]["received"] == 3 and figures["opinion_reports"]["adopted"] == 1
    assert figures["opinion_reports"]["published_issues"] == 1
    # Person-times by attendance: 6 meetings × 3 present, research and inspection × 4 participants,
    # 2 trainings; absences are not person-times.
    duty = figures["duty"]
    attended = 6 * 3 + 2 * 4 + 2
    assert duty["person_times"] == attended
    assert duty["members"] == 4 and duty["serving_members"] == 4

    response = api(staff_user).get("/api/v1/stats/year/", {"year": YEAR})
    assert response.status_code == 200 and response.json() == figures
    assert api(staff_user).get("/api/v1/stats/year/", {"year": "0"}).status_code == 400


def test_docx_and_page_agree_with_the_api(api, client, staff_user, year_replayed):
    response = api(staff_user).get("/api/v1/stats/year/report/", {"year": YEAR})
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "召开全体会议1次、常务委员会会议2次、主席（扩大）会议1次。" in text
    assert "政府工作报告协商意见3条、法院工作报告协商意见1条、检察院工作报告协商意见2条。" in text
    assert "专题协商会1次，提出意见建议12条" in text
    assert "收到社情民意信息3条，采用1条，编辑《社情民意》1期" in text
    client.force_login(staff_user)
    page = client.get("/workbench/stats/year/", {"year": YEAR}).content.decode()
    assert "召开全体会议1次、常务委员会会议2次" in page
    assert (
        f'href="/workbench/consultations/meetings/?state=held&amp;year={YEAR}&amp;type=standing_committee">2</a>'
        in page
    )
    # The link leads to exactly the meetings it counts.
    listed = client.get(f"/workbench/consultations/meetings/?state=held&year={YEAR}&type=standing_committee")
    assert listed.content.decode().count("常委会第") == 2
    export = client.get(f"/workbench/stats/year/export.csv?year={YEAR}")
    assert export.status_code == 200 and "全体会议" in export.content.decode("utf-8-sig")
    # Each line of work exports its own table; per-member person-times too.
    meetings_csv = client.get(f"/workbench/stats/year/export.csv?year={YEAR}&table=meetings")
    assert "常委会议,2" in meetings_csv.content.decode("utf-8-sig")
    members_csv = client.get(f"/workbench/stats/year/export.csv?year={YEAR}&table=members").content.decode(
        "utf-8-sig"
    )
    assert members_csv.count("\n") == 1 + 4  # header + the four members with records
    assert client.get(f"/workbench/stats/year/export.csv?year={YEAR}&table=nope").status_code == 404
    assert 'data-chart="meetings"' in page and "人均" in page


def test_members_and_departments_may_not_read_the_year(api, member, department_user):
    assert api(member.user).get("/api/v1/stats/year/").status_code == 403
    assert api(department_user).get("/api/v1/stats/year/report/").status_code == 403


def test_activities_of_the_activities_app_count_unless_cancelled(staff_user):
    from activities.models import Activity

    for state in ("done", "cancelled"):
        Activity.objects.create(
            kind="inspection",
            title=f"视察{state}",
            start=at(5, 1),
            place="x",
            state=state,
            created_by=staff_user,
        )
    assert year_figures.year_figures(YEAR)["activities"]["inspection"] == 1
