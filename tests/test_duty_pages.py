"""履职 pages: archive permissions, self-report and bulk review, ranking and its query count, low-score
reminders, and the documents (DOCX read back, sector zip, Excel)."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import DutyRecord
from members.services import refresh_duty_scores
from zhengxie.notifications.models import Notification

pytestmark = pytest.mark.django_db
K = DutyRecord.Kind
YEAR = timezone.localdate().year


def on(month=1, d=5):
    return min(date(YEAR, month, d), timezone.localdate())


def rec(member, kind, *, detail="", status="confirmed", people=None, day=None):
    record = DutyRecord.objects.create(
        member=member,
        kind=kind,
        date=day or on(),
        detail=detail,
        status=status,
        people=people,
        share=Decimal(1),
    )
    # Made by hand, as no service would: keep the yearly scores as the services do.
    refresh_duty_scores([(member.pk, record.date.year)])
    return record


def login(client, user):
    client.force_login(user)
    return client


class TestArchive:
    def test_member_sees_own_archive(self, client, member):
        rec(member, K.PLENARY_ATTENDANCE, detail="present")
        rec(member, K.CONSTITUENCY_CONTACT, people=30)
        login(client, member.user)
        response = client.get("/duty/")
        assert response.status_code == 302 and response.url.startswith(f"/duty/members/{member.pk}/")
        page = client.get(f"/duty/members/{member.pk}/?year={YEAR}")
        html = page.content.decode()
        assert page.status_code == 200
        assert "我的履职档案" in html and "52.00" in html
        assert "全体会议出席" in html and "联系群众：30 / 40 人" in html

    def test_member_cannot_see_another_archive_or_report(self, client, member, other_member):
        login(client, member.user)
        assert client.get(f"/duty/members/{other_member.pk}/").status_code == 404
        assert client.get(f"/duty/members/{other_member.pk}/report.docx").status_code == 404

    def test_staff_and_leader_see_any_archive(self, client, staff_user, leader_user, member):
        for user in (staff_user, leader_user):
            login(client, user)
            assert client.get(f"/duty/members/{member.pk}/").status_code == 200

    def test_department_gets_404(self, client, department_user, member):
        login(client, department_user)
        assert client.get(f"/duty/members/{member.pk}/").status_code == 404

    def test_photos_are_private(self, client, member, other_member):
        from members.models import DutyPhoto

        r = rec(other_member, K.RESEARCH, status="pending")
        photo = DutyPhoto.objects.create(
            record=r, file=SimpleUploadedFile("a.jpg", b"\xff\xd8\xff"), name="a.jpg"
        )
        login(client, member.user)
        assert client.get(f"/duty/photos/{photo.pk}/").status_code == 404
        login(client, other_member.user)
        assert client.get(f"/duty/photos/{photo.pk}/").status_code == 200


class TestArchiveQueryCount:
    def test_archive_query_count_does_not_grow_with_records(self, client, staff_user, member, make_member):
        """The 履职档案 page: same number of queries for 2 records as for 30 (sources and photos too)."""
        from members import services
        from members.models import DutyPhoto

        def add(n, start):
            for i in range(start, start + n):
                if i % 3 == 0:  # a system record with a linked source
                    services.record_duty(
                        actor=staff_user,
                        member=member,
                        kind=K.PROPOSAL_SUBMITTED,
                        date=on(),
                        source=make_member(f"来源{i}"),
                    )
                elif i % 3 == 1:  # a pending self-report with a photo
                    r = rec(member, K.CONSTITUENCY_CONTACT, status="pending", people=10)
                    DutyPhoto.objects.create(record=r, file="duty/x.jpg", name="x.jpg")
                else:
                    rec(member, K.RESEARCH)

        def count(user):
            login(client, user)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/duty/members/{member.pk}/?year={YEAR}")
            html = response.content.decode()
            assert response.status_code == 200 and "照片1" in html and "来源" in html
            return len(ctx.captured_queries)

        add(2, 0)
        few_member, few_staff = count(member.user), count(staff_user)
        add(28, 2)
        assert DutyRecord.objects.filter(member=member).count() == 30
        assert count(member.user) == few_member
        assert count(staff_user) == few_staff


class TestSelfReportAndReview:
    def test_report_then_bulk_confirm_changes_score_and_rank(self, client, member, other_member, staff_user):
        rec(other_member, K.RESEARCH)  # 赵 2 points, 李 0 → 李 second
        login(client, member.user)
        response = client.post(
            "/duty/report/",
            {
                "kind": "constituency_contact",
                "date": on().isoformat(),
                "people": "25",
                "note": "走访社区",
                "photos": [SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg")],
            },
        )
        assert response.status_code == 302
        record = DutyRecord.objects.get(member=member)
        assert record.status == "pending" and record.photos.count() == 1
        archive = client.get(f"/duty/members/{member.pk}/").content.decode()
        assert "待确认" in archive and "第2名" in archive

        login(client, staff_user)
        page = client.get("/workbench/duty/pending/")
        assert "走访社区" in page.content.decode()
        second = rec(member, K.TRAINING, status="pending")
        response = client.post(
            "/workbench/duty/pending/", {"records": [record.pk, second.pk], "action": "confirm"}
        )
        assert response.status_code == 302
        record.refresh_from_db()
        assert record.status == "confirmed" and record.reviewed_by == staff_user
        login(client, member.user)
        archive = client.get(f"/duty/members/{member.pk}/").content.decode()
        assert "第1名" in archive

    def test_bulk_decline_needs_reason_and_does_not_count(self, client, member, staff_user):
        r = rec(member, K.RESEARCH, status="pending")
        login(client, staff_user)
        client.post("/workbench/duty/pending/", {"records": [r.pk], "action": "decline"})
        r.refresh_from_db()
        assert r.status == "pending"
        client.post(
            "/workbench/duty/pending/", {"records": [r.pk], "action": "decline", "reason": "重复填报"}
        )
        r.refresh_from_db()
        assert r.status == "declined" and r.decline_reason == "重复填报"

    def test_report_form_error_keeps_nothing(self, client, member):
        login(client, member.user)
        response = client.post(
            "/duty/report/", {"kind": "constituency_contact", "date": on().isoformat(), "note": "x"}
        )
        assert response.status_code == 200
        assert "联系群众人数" in response.content.decode()
        assert not DutyRecord.objects.exists()

    def test_wrong_roles(self, client, member, leader_user, department_user, staff_user):
        r = rec(member, K.RESEARCH, status="pending")
        login(client, member.user)
        assert client.get("/workbench/duty/pending/").status_code == 403
        assert client.get("/workbench/duty/").status_code == 403
        login(client, leader_user)
        assert client.get("/workbench/duty/pending/").status_code == 200
        assert (
            client.post("/workbench/duty/pending/", {"records": [r.pk], "action": "confirm"}).status_code
            == 403
        )
        r.refresh_from_db()
        assert r.status == "pending"
        login(client, department_user)
        assert client.get("/workbench/duty/").status_code == 403
        assert client.get("/duty/report/").status_code == 403
        login(client, staff_user)
        assert client.get("/duty/report/").status_code == 403


class TestRankingAndLow:
    def test_ranking_page_query_count_does_not_grow(self, client, staff_user, make_member):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(f"/workbench/duty/?year={YEAR}").status_code == 200
            return len(ctx.captured_queries)

        login(client, staff_user)
        for i in range(2):
            rec(make_member(f"少{i}"), K.RESEARCH)
        few = count()
        for i in range(20):
            rec(make_member(f"多{i}"), K.RESEARCH)
        assert count() == few

    def test_ranking_page_shows_ties(self, client, staff_user, make_member):
        a, b = make_member("甲"), make_member("乙")
        rec(a, K.PLENARY_ATTENDANCE)
        rec(b, K.PLENARY_ATTENDANCE)
        login(client, staff_user)
        html = client.get("/workbench/duty/").content.decode()
        assert html.count('data-testid="ranking-row"') == 2
        assert html.count("<td>1</td>") == 2

    def test_low_scorers_list_and_reminder(self, client, staff_user, leader_user, member, other_member):
        rec(other_member, K.PLENARY_ATTENDANCE)
        rec(other_member, K.OPINION_SUBMITTED)  # 60, not low
        login(client, leader_user)
        html = client.get("/workbench/duty/low/").content.decode()
        assert "李委员" in html and "赵委员" not in html
        assert client.post("/workbench/duty/low/remind/", {"year": YEAR}).status_code == 403
        login(client, staff_user)
        response = client.post("/workbench/duty/low/remind/", {"year": YEAR})
        assert response.status_code == 302
        notes = Notification.objects.filter(title=f"{YEAR}年度履职积分提醒")
        assert [n.recipient for n in notes] == [member.user]
        assert "出席一次全体会议" in notes[0].body


class TestDocuments:
    def test_member_report_docx_reads_back(self, client, member, other_member):
        from docx import Document

        rec(member, K.PLENARY_ATTENDANCE, detail="present")
        rec(member, K.OPINION_SUBMITTED)
        rec(member, K.RESEARCH, status="pending")  # not in the report
        rec(other_member, K.PLENARY_ATTENDANCE, detail="present")
        login(client, member.user)
        response = client.get(f"/duty/members/{member.pk}/report.docx?year={YEAR}")
        assert response.status_code == 200
        doc = Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        assert f"{YEAR}年度履职报告" in text
        assert "李委员" in cells and "60.00" in cells and "称职" in cells
        assert "第1名（共2人）" in cells
        assert "报送社情民意" in cells and "调研" not in cells

    def test_sector_zip_and_excel(self, client, staff_user, member, other_member, sector):
        from docx import Document
        from openpyxl import load_workbook

        rec(member, K.PLENARY_ATTENDANCE)
        login(client, staff_user)
        response = client.get(f"/workbench/duty/sectors/{sector.pk}/reports.zip?year={YEAR}")
        # a background job builds the zip; the user watches it on its page and downloads it there
        from zhengxie.jobs.models import Job
        from zhengxie.jobs.services import job_run

        job = Job.objects.get(kind="sector_reports")
        assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
        job_run(job_id=job.pk)
        response = client.get(f"/jobs/{job.pk}/download/")
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = sorted(archive.namelist())
        assert names == sorted([f"{YEAR}年度履职报告-李委员.docx", f"{YEAR}年度履职报告-赵委员.docx"])
        doc = Document(io.BytesIO(archive.read(f"{YEAR}年度履职报告-赵委员.docx")))
        assert "赵委员" in [c.text for t in doc.tables for row in t.rows for c in row.cells]

        response = client.get(f"/workbench/duty/scores.xlsx?year={YEAR}")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:6] == ("名次", "姓名", "界别", "党派", "总分", "等次")
        assert rows[1][:2] == (1, "李委员") and rows[1][4] == 50

    def test_documents_wrong_roles(self, client, member, department_user, sector):
        login(client, member.user)
        assert client.get(f"/workbench/duty/scores.xlsx?year={YEAR}").status_code == 403
        assert client.get(f"/workbench/duty/sectors/{sector.pk}/reports.zip").status_code == 403
        login(client, department_user)
        assert client.get(f"/workbench/duty/scores.xlsx?year={YEAR}").status_code == 403


class TestHonestGradesAndLabels:
    """Until a year has any 全会 attendance record (half the points), nobody is graded 不称职 for it;
    shares read as fractions and 细项 codes as words."""

    def _records(self, member, other_member):
        from members.models import DutyRecord

        rec(member, K.PROPOSAL_SUBMITTED)
        rec(member, K.SPEECH, detail="oral", day=on(1, 6))
        rec(other_member, K.OPINION_SUBMITTED)
        DutyRecord.objects.filter(member=member, kind=K.PROPOSAL_SUBMITTED).update(share=Decimal("0.25"))
        refresh_duty_scores([(member.pk, YEAR)])

    def test_no_plenary_record_means_no_failing_grade(self, client, api, staff_user, member, other_member):
        self._records(member, other_member)
        login(client, staff_user)
        html = client.get(f"/workbench/duty/?year={YEAR}").content.decode()
        assert "不称职" not in html.split("ranking-row", 1)[1]
        assert "尚无全会出勤记录" in html
        low = client.get(f"/workbench/duty/low/?year={YEAR}").content.decode()
        assert 'data-testid="no-plenary-records"' in low
        login(client, member.user)
        html = client.get(f"/duty/members/{member.pk}/?year={YEAR}").content.decode()
        assert "尚无全会出勤记录" in html and 'data-testid="duty-grade">不称职' not in html
        assert "（口头发言）" in html and "（oral）" not in html
        assert "联名 1/4" in html and "0.25" not in html
        data = api(member.user).get(f"/api/v1/members/{member.pk}/score/?year={YEAR}").json()
        assert data["grade"] is None and data["grade_note"] == "尚无全会出勤记录"

    def test_once_a_plenary_is_recorded_grades_come_back(self, client, staff_user, member, other_member):
        self._records(member, other_member)
        rec(other_member, K.PLENARY_ATTENDANCE, detail="present")
        login(client, staff_user)
        html = client.get(f"/workbench/duty/?year={YEAR}").content.decode()
        assert "不称职" in html.split("ranking-row", 1)[1] and "尚无全会出勤记录" not in html

    def test_admin_changelist_shows_words_not_codes(self, client, staff_user, member, other_member):
        self._records(member, other_member)
        rec(member, K.PLENARY_ATTENDANCE, detail="present", day=on(1, 7))
        login(client, staff_user)
        html = client.get("/admin/members/dutyrecord/").content.decode()
        assert "口头发言" in html and "出席" in html and "联名 1/4" in html
        assert ">oral<" not in html and ">present<" not in html and "0.2500" not in html


def test_the_pending_badge_counts_to_the_lists_cap(client, member, staff_user, monkeypatch):
    """待确认填报 on the ranking and on its own page: how many records wait, "N+" past the cap (a count of
    the whole backlog on every view grew with it)."""
    from zhengxie import paging

    badge = re.compile(r'待确认填报 <span class="badge text-bg-warning">([^<]+)</span>')
    login(client, staff_user)
    assert not badge.search(client.get("/workbench/duty/").content.decode())  # nothing waits
    for _ in range(3):
        rec(member, K.TRAINING, status="pending")
    for url in ("/workbench/duty/", "/workbench/duty/pending/"):
        assert badge.search(client.get(url).content.decode())[1] == "3", url
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    for url in ("/workbench/duty/", "/workbench/duty/pending/"):
        assert badge.search(client.get(url).content.decode())[1] == "2+", url
