"""The yearly duty scores kept in MemberYearScore equal a recomputation from the records after any
sequence of work across the apps, the rebuild command restores them, and concurrent writers stay exact."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from activities import services as activities
from members import scoring
from members import services as members
from members.models import DutyRecord, MemberYearScore, ScoringRule
from members.selectors import duty_attendance
from proposals import services as proposals
from proposals.models import ProposalCategory
from sqyy import services as sqyy

YEAR = timezone.localdate().year
FIELDS = [
    "member_id",
    "points",
    "scored",
    "plenary",
    "plenary_any",
    "proposal_or_opinion",
    "research",
    "contact_quarters",
    "contact_people",
    "by_group",
    "by_kind",
    "person_times",
    "attended",
]


def stored(year=YEAR):
    return {
        s.member_id: tuple(getattr(s, f) for f in FIELDS) for s in MemberYearScore.objects.filter(year=year)
    }


def recomputed(year=YEAR):
    scores = scoring.computed_scores(scoring.scheme_for(year))
    return {mid: tuple(getattr(s, f) for f in FIELDS) for mid, s in scores.items()}


def attendance_grouped(year=YEAR):
    """The database's own grouping of the stored scores' person-times by kind (what the year's figures
    computed on every view before the rollup)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.key, SUM(CAST(e.value AS INTEGER)), COUNT(*) FROM members_memberyearscore y, "
            "jsonb_each_text(y.attended) e WHERE y.year = %s AND y.person_times > 0 GROUP BY e.key",
            [year],
        )
        by_kind = {kind: (n, m) for kind, n, m in cursor.fetchall()}
        cursor.execute(
            "SELECT COALESCE(SUM(person_times), 0), COUNT(*) FROM members_memberyearscore "
            "WHERE year = %s AND person_times > 0",
            [year],
        )
        return cursor.fetchone(), by_kind


def assert_kept(year=YEAR):
    assert stored(year) == recomputed(year)
    # What the ranking shows is what the live computation over every record showed.
    assert scoring.year_scores(year) == scoring.live_year_scores(year)
    # The person-times rollup is what grouping the stored scores gives.
    attendance = duty_attendance(year)
    (total, members), by_kind = attendance_grouped(year)
    assert (attendance["person_times"], attendance["members"]) == (total, members)
    assert {
        k: (attendance["by_kind"][k], attendance["members_by_kind"][k]) for k in attendance["by_kind"]
    } == by_kind


@pytest.mark.django_db
def test_scores_follow_work_across_apps(staff_user, member, other_member, make_member, plenary):
    economy = ProposalCategory.objects.get(name="经济")
    third = make_member("孙委员")

    def proposal(owner, title, **extra):
        p = proposals.proposal_create(
            actor=owner.user,
            title=title,
            content="情况：……。建议：……。",
            category=economy,
            during_plenary=True,
            plenary=plenary,
            **extra,
        )
        return proposals.proposal_submit(actor=owner.user, proposal=p)

    # 提案: submitted, joint with shares, registered one by one and in bulk, one withdrawn.
    single = proposal(member, "关于停车设施的建议")
    assert_kept()
    joint = proposal(member, "关于古树名木的建议", kind="joint", cosigners=[other_member.pk, third.pk])
    proposals.proposal_cosign(actor=other_member.user, proposal=joint, agree=True)
    proposals.proposal_cosign(actor=third.user, proposal=joint, agree=True)
    assert_kept()
    proposals.proposal_register(actor=staff_user, proposal=single)
    assert_kept()
    later = proposal(other_member, "关于公交线路的建议")
    proposals.proposals_register_bulk(actor=staff_user, proposal_ids=[joint.pk, later.pk])
    assert_kept()
    withdrawn = proposal(third, "关于路灯的建议")
    assert_kept()
    proposals.proposal_withdraw(actor=third.user, proposal=withdrawn)
    assert_kept()

    # 社情民意: submitted and adopted.
    report = sqyy.opinion_report_create(
        actor=member.user,
        title="关于校园交通的建议",
        content="情况：拥堵。建议：增派协管员。",
        category="社会民生",
    )
    report = sqyy.opinion_report_submit(actor=member.user, report=report)
    sqyy.opinion_report_adopt(actor=staff_user, report=report)
    assert_kept()

    # 视察: present, then corrected to leave (the record goes).
    start = timezone.now() - timedelta(days=3)
    activity = activities.activity_create(
        actor=staff_user, kind="inspection", title="视察", start=start, participants=[member, other_member]
    )
    activities.activity_set_attendance(actor=staff_user, activity=activity, member=member, status="present")
    activities.activity_set_attendance(
        actor=staff_user, activity=activity, member=other_member, status="present"
    )
    assert_kept()
    activities.activity_set_attendance(
        actor=staff_user, activity=activity, member=other_member, status="leave"
    )
    assert_kept()

    # Self-reports: pending counts nothing, confirmed counts, declined never did.
    on = timezone.localdate() - timedelta(days=1)
    contact = members.duty_report(
        actor=member.user, kind="constituency_contact", date=on, people=15, note="走访"
    )
    research = members.duty_report(actor=third.user, kind="research", date=on, note="调研")
    assert_kept()
    members.duty_confirm(actor=staff_user, record=contact)
    members.duty_decline(actor=staff_user, record=research, reason="材料不足")
    assert_kept()

    # A record moved to last year leaves this year's score and joins last year's.
    moved = members.record_duty(
        actor=staff_user, member=third, kind="speech", detail="oral", date=on, source=activity
    )
    assert_kept()
    members.record_duty(
        actor=staff_user,
        member=third,
        kind="speech",
        detail="oral",
        date=date(YEAR - 1, 6, 1),
        source=activity,
    )
    assert DutyRecord.objects.get(pk=moved.pk).date.year == YEAR - 1
    assert_kept()
    assert_kept(YEAR - 1)
    assert MemberYearScore.objects.get(member=third, year=YEAR - 1).by_kind == {"speech": "5.00"}

    # A rule change recomputes its year.
    before = stored()[member.pk][1]
    scheme = members.scoring_scheme_open(actor=staff_user, year=YEAR)
    rule = ScoringRule.objects.get(scheme=scheme, kind="proposal_registered", detail="")
    rule.points = Decimal("1")
    members.scoring_rule_save(actor=staff_user, rule=rule, changed=["points"])
    assert_kept()
    assert stored()[member.pk][1] < before
    members.scoring_rule_delete(actor=staff_user, rule=rule)
    assert_kept()
    scheme.cap_proposal = Decimal("5")
    members.scoring_scheme_save(actor=staff_user, scheme=scheme, changed=["cap_proposal"])
    assert_kept()
    assert scoring.year_scores(YEAR)  # the ranking is not empty


@pytest.mark.django_db
def test_rebuild_command_restores_the_scores(staff_user, member, other_member):
    members.record_duty(actor=staff_user, member=member, kind="research", date=date(YEAR, 2, 1))
    members.record_duty(
        actor=staff_user, member=other_member, kind="plenary_attendance", date=date(YEAR, 1, 5)
    )
    members.record_duty(actor=staff_user, member=member, kind="research", date=date(YEAR - 2, 2, 1))
    kept = stored(), stored(YEAR - 2)
    # Records written around the services (a bulk load, a repair): the table is stale until rebuilt.
    MemberYearScore.objects.filter(member=member, year=YEAR).update(points=999)
    MemberYearScore.objects.filter(member=other_member).delete()
    MemberYearScore.objects.filter(year=YEAR - 2).delete()
    call_command("rebuild_duty_scores", year=[YEAR], stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored() == kept[0]
    assert stored(YEAR - 2) == {}
    call_command("rebuild_duty_scores", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (stored(), stored(YEAR - 2)) == kept
    assert_kept()
    assert_kept(YEAR - 2)


def _run_together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_one_member_are_all_counted(staff_user, member):
    days = [date(YEAR, 1, 1) + timedelta(days=i) for i in range(8)]
    outcomes = _run_together(
        [
            lambda d=d: members.record_duty(
                actor=staff_user, member=member, kind="online_deliberation", date=d
            )
            for d in days[:4]
        ]
        + [
            lambda d=d: members.record_duty(actor=staff_user, member=member, kind="public_service", date=d)
            for d in days[4:]
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert stored() == recomputed()
    assert MemberYearScore.objects.get(member=member, year=YEAR).points == Decimal("4") + Decimal("8")
    assert_kept()


@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_different_members_keep_the_person_times_exact(staff_user, make_member):
    """Every refresh of a year adds to the same person-times rows (DutyAttendanceCount): writers of
    different members at once are all counted, none blocks another into a deadlock."""
    people = [make_member(f"并发{i}") for i in range(4)]
    outcomes = _run_together(
        [
            lambda m=m, kind=kind: members.record_duty(
                actor=staff_user, member=m, kind=kind, date=date(YEAR, 3, 1)
            )
            for m in people
            for kind in ("research", "public_service")
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert_kept()
    assert duty_attendance(YEAR)["members"] == len(people)


@pytest.mark.django_db
def test_ranking_in_the_database_equals_the_filtered_and_sorted_rows(staff_user, make_member, sector):
    """The ranking page filters, orders and pages in SQL (RankingRows): the same rows, in the same order,
    as members.selectors' ranking_filter + ranking_sort over year_scores."""
    from members.models import Member, Party, Sector, SpecialCommittee
    from members.selectors import RANKING_ORDERS, ranking_filter, ranking_sort

    other_sector = Sector.objects.create(name="经济界")
    party = Party.objects.order_by("pk").first()
    committee = SpecialCommittee.objects.create(name="提案委员会")
    plan = [
        ("甲", [("plenary_attendance", "present"), ("opinion_submitted", ""), ("proposal_registered", "")]),
        ("乙", [("plenary_attendance", "present"), ("opinion_submitted", "")]),
        ("丙", [("plenary_attendance", "present"), ("opinion_submitted", "")]),  # ties 乙
        ("丁", [("plenary_attendance", "leave")]),
        ("戊", [("research", "")]),
        ("己", []),
        ("Abc", [("standing_attendance", "absent")]),
    ]
    for i, (name, records) in enumerate(plan):
        m = make_member(name)
        Member.objects.filter(pk=m.pk).update(
            sector=[sector, other_sector, None][i % 3], party=party if i % 2 else None
        )
        if i % 2:
            m.committees.add(committee)
        for j, (kind, detail) in enumerate(records):
            members.record_duty(
                actor=staff_user, member=m, kind=kind, detail=detail, date=date(YEAR, 1, 2 + j)
            )
    scheme = scoring.scheme_for(YEAR)
    all_rows = scoring.year_scores(YEAR, scheme=scheme)
    filters = [
        {},
        {"sector": str(sector.pk)},
        {"party": str(party.pk)},
        {"committee": str(committee.pk)},
        {"q": "乙"},
        {"low": "1"},
        {"grade": "称职"},
        {"grade": "不称职"},
        {"grade": "优秀"},
        {"grade": "无此等次"},
        {"sector": str(other_sector.pk), "low": "1"},
        {"sector": "abc"},
        {"party": "1x", "low": "1"},
    ]
    for wanted in filters:
        for ordering in ["", *RANKING_ORDERS]:
            expected = ranking_sort(ranking_filter(all_rows, **wanted), ordering)
            rows = scoring.RankingRows(YEAR, scheme, ordering=ordering or "rank", **wanted)
            assert rows.count() == len(expected), (wanted, ordering)
            assert rows[0:100] == expected, (wanted, ordering)
            assert rows[2:4] == expected[2:4]
            assert rows.plenary_recorded
            if ordering in ("", "-rank"):  # a page reads only the totals it spans: every window, ties cut
                for i in range(len(expected) + 1):
                    for j in range(i + 1, len(expected) + 2):
                        assert rows[i:j] == expected[i:j], (wanted, ordering, i, j)
    top = scoring.RankingRows(YEAR, scheme)
    top.count()
    (lo, hi), skipped = top._page_points(0, 2)  # the first page is read by its points, not by ranking all
    assert 0 < lo <= hi and skipped == 0
    assert top._page_points(0, 100) == (None, 0)  # reaches the members without points: ranked in full


@pytest.mark.django_db
def test_one_members_score_reads_only_their_row(staff_user, member, other_member, make_member):
    from members.models import Member
    from members.selectors import member_year_score

    retired = make_member("退出委员")
    Member.objects.filter(pk=retired.pk).update(status=Member.Status.RESIGNED)
    retired.refresh_from_db()

    def old(m):
        rows = scoring.year_scores(YEAR)
        row = next((r for r in rows if r.member_id == m.pk), None) or scoring.unranked_row(m, rows)
        return scoring.with_breakdown(scoring.scheme_for(YEAR), [row])[0]

    members.record_duty(actor=staff_user, member=member, kind="research", date=date(YEAR, 2, 1))
    for m in (member, other_member, retired):
        assert member_year_score(m, YEAR)[0] == old(m)
    assert member_year_score(retired, YEAR)[0].grade_text == scoring.NO_PLENARY_NOTE
    members.record_duty(
        actor=staff_user,
        member=other_member,
        kind="plenary_attendance",
        detail="present",
        date=date(YEAR, 1, 5),
    )
    for m in (member, other_member, retired):
        assert member_year_score(m, YEAR)[0] == old(m)
    assert member_year_score(retired, YEAR)[0].grade == "不称职"
    assert member_year_score(other_member, YEAR)[0].rank == 1


@pytest.mark.django_db
def test_the_migration_fills_the_person_times_from_the_stored_scores(staff_user, member, other_member):
    """Upgrading fills DutyAttendanceCount from the scores already stored; the year's figures then read it
    in one query."""
    import importlib

    from django.apps import apps
    from django.test.utils import CaptureQueriesContext

    from members.models import DutyAttendanceCount

    members.record_duty(actor=staff_user, member=member, kind="research", date=date(YEAR, 2, 1))
    members.record_duty(actor=staff_user, member=other_member, kind="research", date=date(YEAR - 1, 2, 1))
    kept = {(r.year, r.kind, r.person_times, r.members) for r in DutyAttendanceCount.objects.all()}
    assert kept
    DutyAttendanceCount.objects.all().delete()
    importlib.import_module("members.migrations.0011_duty_attendance_rollup").fill(apps, None)
    assert {(r.year, r.kind, r.person_times, r.members) for r in DutyAttendanceCount.objects.all()} == kept
    assert_kept()
    assert_kept(YEAR - 1)
    with CaptureQueriesContext(connection) as queries:
        duty_attendance(YEAR)
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_score_refreshed_between_the_count_and_the_page_still_gets_its_rank(staff_user, make_member):
    """The ranks come from the count's members-per-total; the page is a second query. A member whose total
    changed in between (a record added meanwhile) is ranked by position among those totals."""
    people = [make_member(f"排名{i}") for i in range(3)]
    for i, person in enumerate(people):
        for day in range(i + 1):
            members.record_duty(
                actor=staff_user, member=person, kind="public_service", date=date(YEAR, 2, 1 + day)
            )
    rows = scoring.RankingRows(YEAR, scoring.scheme_for(YEAR))
    assert rows.count() == 3
    ranked = rows[0:10]
    assert [r.name for r in ranked] == ["排名2", "排名1", "排名0"] and [r.rank for r in ranked] == [1, 2, 3]
    # 排名0 gets a total nobody had when the count was read: between 排名2 and 排名1.
    MemberYearScore.objects.filter(member=people[0], year=YEAR).update(
        points=(ranked[0].total + ranked[1].total) / 2
    )
    again = rows[0:10]
    assert [(r.name, r.rank) for r in again] == [("排名2", 1), ("排名0", 2), ("排名1", 2)]
