"""The statistics page, the year figures and the duty ranking read the yearly duty scores
(MemberYearScore), not every record: the figures equal those computed from the records after changes, and
each page's query count does not grow with the records or the members."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members import scoring
from members.models import DutyRecord
from members.services import duty_confirm, duty_report, record_duty, withdraw_duty
from proposals import stats, year_figures

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
K = DutyRecord.Kind


def old_distribution(year):
    """The statistics page's duty table as it was computed from year_scores (every ranked row)."""
    from collections import Counter

    rows = scoring.live_year_scores(year)
    counts = []
    for label, low, high in scoring.BANDS:
        n = sum(1 for r in rows if (low is None or r.total >= low) and (high is None or r.total < high))
        counts.append((label, n))
    grades = Counter(r.grade for r in rows)
    return {"members": len(rows), "bands": counts, "grades": sorted(grades.items(), key=lambda kv: -kv[1])}


def old_person_times(year):
    """The year figures' person-times as they were counted from the records."""
    records = DutyRecord.objects.filter(date__year=year, status="confirmed").exclude(
        detail__in=["leave", "absent"]
    )
    return {
        "person_times": records.count(),
        "members": records.values("member").distinct().count(),
        "training": records.filter(kind="training").count(),
        "trained": records.filter(kind="training").values("member").distinct().count(),
    }


def person_times(year):
    figures = year_figures.year_figures(year)
    return {
        "person_times": figures["duty"]["person_times"],
        "members": figures["duty"]["members"],
        "training": figures["activities"]["training_person_times"],
        "trained": figures["activities"]["members_trained"],
    }


def test_distribution_and_person_times_follow_changes(staff_user, member, other_member, make_member):
    third = make_member("丙")
    assert stats._duty_section(YEAR) == old_distribution(YEAR)  # no plenary record yet: no grades
    # A share that rounds at a band line: 89.995 shows as 90.00, and counts as 90分以上 (优秀).
    fourth = make_member("丁")
    for m, kinds in (
        (
            member,
            [
                ("plenary_attendance", "present", 1),
                ("opinion_submitted", "", 1),
                ("proposal_registered", "", 1),
            ],
        ),
        (other_member, [("plenary_attendance", "leave", 1), ("proposal_submitted", "", Decimal("0.5"))]),
        (third, [("standing_attendance", "absent", 1), ("training", "", 1), ("training", "", 1)]),
        (
            fourth,
            [
                ("plenary_attendance", "present", 1),
                ("proposal_submitted", "", Decimal("0.9995")),
                ("proposal_registered", "", 1),
                ("opinion_submitted", "", 1),
                ("opinion_adopted", "", 1),
            ],
        ),
    ):
        for i, (kind, detail, share) in enumerate(kinds):
            record_duty(
                actor=staff_user,
                member=m,
                kind=kind,
                detail=detail,
                date=date(YEAR, 1, 2 + i),
                share=share,
                note=f"{i}",
            )
    assert stats._duty_section(YEAR) == old_distribution(YEAR)
    assert dict(stats._duty_section(YEAR)["grades"])["优秀"] == 1
    assert person_times(YEAR) == old_person_times(YEAR)

    report = duty_report(actor=member.user, kind="training", date=timezone.localdate(), note="培训")
    assert person_times(YEAR) == old_person_times(YEAR)  # pending: not yet
    duty_confirm(actor=staff_user, record=report)
    assert person_times(YEAR) == old_person_times(YEAR)
    assert person_times(YEAR)["trained"] == 2
    withdraw_duty(actor=staff_user, kind="training", source=report)  # a no-op: self-reports have no source
    assert stats._duty_section(YEAR) == old_distribution(YEAR)
    assert person_times(YEAR) == old_person_times(YEAR)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more(staff_user, make_member, start, n):
    for i in range(n):
        m = make_member(f"委员{start + i}")
        for day in range(1, 4):
            record_duty(actor=staff_user, member=m, kind="training", date=date(YEAR, 2, day), note="培训")
        record_duty(
            actor=staff_user, member=m, kind="plenary_attendance", detail="present", date=date(YEAR, 1, 5)
        )


@pytest.mark.parametrize(
    "url",
    [
        f"/workbench/stats/?year={YEAR}",
        f"/workbench/stats/year/?year={YEAR}",
        f"/api/v1/stats/year/?year={YEAR}",
        f"/workbench/duty/?year={YEAR}",
        f"/api/v1/scores/?year={YEAR}",
        f"/workbench/duty/low/?year={YEAR}",
        "/workbench/",
    ],
)
def test_query_count_does_not_grow_with_records_and_members(client, staff_user, make_member, url):
    client.force_login(staff_user)
    _more(staff_user, make_member, 0, 2)
    few = _count(client, url)
    _more(staff_user, make_member, 100, 15)
    assert _count(client, url) == few


def test_opinion_year_counts_are_those_of_the_full_statistics(staff_user, leader_user, member):
    from sqyy import services as sqyy
    from sqyy.selectors import opinion_report_stats, opinion_year_counts

    def compare():
        lean, full = opinion_year_counts(YEAR), opinion_report_stats(YEAR)
        assert lean == {k: full[k] for k in lean}
        return lean

    compare()
    reports = []
    for i in range(3):
        report = sqyy.opinion_report_create(
            actor=member.user,
            title=f"关于第{i}件事的建议",
            content="情况：……。建议：……。",
            category="社会民生",
        )
        reports.append(sqyy.opinion_report_submit(actor=member.user, report=report))
    adopted = sqyy.opinion_report_adopt(actor=staff_user, report=reports[0])
    bulletin = sqyy.bulletin_create(actor=staff_user, date=timezone.localdate())
    sqyy.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=adopted)
    sqyy.bulletin_publish(actor=staff_user, bulletin=bulletin)
    for level in ("city", "province"):
        sqyy.opinion_report_add_instruction(
            actor=leader_user,
            report=adopted,
            leader="王市长",
            level=level,
            content="请研究",
            date=timezone.localdate(),
        )
    figures = compare()
    assert (figures["received"], figures["adopted"], figures["instructed"], figures["instructions"]) == (
        3,
        1,
        1,
        2,
    )
    assert figures["published_issues"] == 1
    # The statistics page and the year figures show them.
    assert stats._opinion_section(YEAR) == figures
    assert year_figures.year_figures(YEAR)["opinion_reports"] == {
        "received": 3,
        "adopted": 1,
        "published_issues": 1,
        "instructions": 2,
    }


def test_the_comparison_reads_the_same_figures_as_each_year(staff_user, member):
    from proposals.views_year import COMPARED, comparison

    record_duty(actor=staff_user, member=member, kind="training", date=date(YEAR - 1, 3, 1), note="培训")
    record_duty(actor=staff_user, member=member, kind="training", date=date(YEAR, 3, 1), note="培训")
    table = comparison(YEAR)
    full = {y: year_figures.year_figures(y) for y in (YEAR - 2, YEAR - 1, YEAR)}
    want = [
        [label, *[full[y].get(section, {}).get(key, 0) for y in (YEAR - 2, YEAR - 1, YEAR)]]
        for section, key, label in COMPARED
        if section in full[YEAR]
    ]
    assert table.rows == want


def test_low_page_shows_a_page_and_counts_everyone(client, staff_user, make_member):
    for i in range(52):
        make_member(f"低分{i:02d}")
    client.force_login(staff_user)
    html = client.get(f"/workbench/duty/low/?year={YEAR}", secure=True).content.decode()
    assert html.count('data-testid="low-row"') == 50
    assert "的委员共 52 人" in html  # every serving member is below the line (no records at all)
    second = client.get(f"/workbench/duty/low/?year={YEAR}&page=2", secure=True).content.decode()
    assert second.count('data-testid="low-row"') == 2
