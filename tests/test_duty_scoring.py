"""Duty scores computed from hand-built records: rules, caps, joint shares, ties, grades, years."""

from datetime import date
from decimal import Decimal

import pytest

from members import scoring, services
from members.models import DutyRecord, Member, ScoringRule, ScoringScheme
from members.selectors import member_year_score
from members.services import refresh_duty_scores

pytestmark = pytest.mark.django_db
K = DutyRecord.Kind
YEAR = 2025


def rec(member, kind, *, day=date(YEAR, 3, 1), detail="", share=1, people=None, status="confirmed"):
    record = DutyRecord.objects.create(
        member=member,
        kind=kind,
        date=day,
        detail=detail,
        share=Decimal(str(share)),
        people=people,
        status=status,
    )
    # Made by hand, as no service would: keep the yearly scores as the services do.
    refresh_duty_scores([(member.pk, record.date.year)])
    return record


def scores(year=YEAR):
    return {row.name: row for row in scoring.year_scores(year)}


def test_each_source_adds_its_points(make_member):
    a = make_member("甲")
    rec(a, K.PLENARY_ATTENDANCE, detail="present")
    assert scores()["甲"].total == Decimal("50")
    rec(a, K.PROPOSAL_SUBMITTED)
    assert scores()["甲"].total == Decimal("60")
    rec(a, K.OPINION_SUBMITTED)
    assert scores()["甲"].total == Decimal("70")
    rec(a, K.SPEECH, detail="written")
    assert scores()["甲"].total == Decimal("75")
    rec(a, K.STANDING_ATTENDANCE, detail="absent")
    assert scores()["甲"].total == Decimal("70")
    rec(a, K.STANDING_ATTENDANCE, detail="leave", day=date(YEAR, 6, 1))
    assert scores()["甲"].total == Decimal("68")
    rec(a, K.OPINION_INSTRUCTED)
    assert scores()["甲"].total == Decimal("73")


def test_plenary_leave_and_absent(make_member):
    a, b = make_member("请假"), make_member("缺席")
    rec(a, K.PLENARY_ATTENDANCE, detail="leave")
    rec(b, K.PLENARY_ATTENDANCE, detail="absent")
    s = scores()
    assert s["请假"].total == Decimal("30")
    assert s["缺席"].total == Decimal("0")
    # attended nothing: 三个一 plenary unmet for both
    assert not s["请假"].three_ones["plenary"] and not s["缺席"].three_ones["plenary"]


def test_group_caps(make_member):
    a = make_member("甲")
    for i in range(3):  # 3 × (10 + 15) = 75 → capped at 25
        rec(a, K.PROPOSAL_SUBMITTED, day=date(YEAR, 3, i + 1))
        rec(a, K.PROPOSAL_REGISTERED, day=date(YEAR, 4, i + 1))
    for i in range(8):  # 8 × 2 = 16 → capped at 10
        rec(a, K.RESEARCH, day=date(YEAR, 5, i + 1))
    for i in range(3):  # 30 + 15 = 45 → capped at 15
        rec(a, K.OPINION_SUBMITTED, day=date(YEAR, 6, i + 1))
        rec(a, K.OPINION_ADOPTED, day=date(YEAR, 7, i + 1))
    for i in range(2):  # plenary capped at 50 even with two records
        rec(a, K.PLENARY_ATTENDANCE, day=date(YEAR, 1, 10 + i), detail="present")
    for i in range(7):  # public service 2 each, rule cap 10
        rec(a, K.PUBLIC_SERVICE, day=date(YEAR, 8, i + 1))
    row = scores()["甲"]
    assert row.total == Decimal("110")
    scheme = scoring.scheme_for(YEAR)
    scoring.with_breakdown(scheme, [row])
    assert row.by_group == {
        "plenary": Decimal("50.00"),
        "proposal": Decimal("25.00"),
        "activity": Decimal("10.00"),
        "opinion": Decimal("15.00"),
        "bonus": Decimal("10.00"),
    }
    assert row.by_kind["proposal_submitted"] == Decimal("30.00")
    assert row.by_kind["public_service"] == Decimal("10.00")


def test_joint_proposal_shares(make_member):
    first, c1, c2 = make_member("领衔"), make_member("联名一"), make_member("联名二")
    # joint: first proposer half, the two co-signers share the other half
    for kind in (K.PROPOSAL_SUBMITTED, K.PROPOSAL_REGISTERED):
        rec(first, kind, share="0.5")
        rec(c1, kind, share="0.25")
        rec(c2, kind, share="0.25")
    s = scores()
    assert s["领衔"].total == Decimal("12.50")
    assert s["联名一"].total == Decimal("6.25")
    assert s["联名二"].total == Decimal("6.25")


def test_ties_share_a_rank_and_grades(make_member):
    a, b, c, _d = make_member("甲"), make_member("乙"), make_member("丙"), make_member("丁")
    for m in (a, b, c):
        rec(m, K.PLENARY_ATTENDANCE, detail="present")
    for m in (a, b):
        rec(m, K.PROPOSAL_SUBMITTED)
        rec(m, K.PROPOSAL_REGISTERED)
        rec(m, K.OPINION_SUBMITTED)
    rec(a, K.RESEARCH)  # 甲 and 乙 tie at 87
    rec(b, K.INSPECTION)
    rec(c, K.OPINION_SUBMITTED)  # 60
    rows = scoring.year_scores(YEAR)
    by_name = {r.name: r for r in rows}
    assert by_name["甲"].total == by_name["乙"].total == Decimal("87")
    assert by_name["甲"].rank == by_name["乙"].rank == 1
    assert by_name["丙"].rank == 3 and by_name["丙"].total == Decimal("60")
    assert by_name["丁"].rank == 4 and by_name["丁"].total == Decimal("0")
    assert by_name["甲"].grade == "良好"
    assert by_name["丙"].grade == "称职"
    assert by_name["丁"].grade == "不称职" and by_name["丁"].below_line
    assert not by_name["丙"].below_line
    assert [r.name for r in rows][:2] == sorted(["甲", "乙"])
    assert scoring.grade_of(Decimal("90")) == "优秀"
    assert scoring.grade_of(Decimal("89.99")) == "良好"
    assert scoring.grade_of(Decimal("59.99")) == "不称职"


def test_pending_and_declined_do_not_count_and_other_years_do_not(make_member):
    a = make_member("甲")
    rec(a, K.RESEARCH, status="pending")
    rec(a, K.RESEARCH, status="declined", day=date(YEAR, 4, 1))
    rec(a, K.RESEARCH, day=date(YEAR + 1, 1, 5))
    rec(a, K.RESEARCH, day=date(YEAR - 1, 12, 31))
    assert scores()["甲"].total == Decimal("0")
    assert not scores()["甲"].three_ones["research"]


def test_rule_change_recomputes_only_that_year(make_member, staff_user):
    a = make_member("甲")
    rec(a, K.OPINION_SUBMITTED, day=date(YEAR, 3, 1))
    rec(a, K.OPINION_SUBMITTED, day=date(YEAR - 1, 3, 1))
    scheme = services.scoring_scheme_open(actor=staff_user, year=YEAR)
    assert scores()["甲"].total == Decimal("10")
    rule = scheme.rules.get(kind=K.OPINION_SUBMITTED, detail="")
    rule.points = Decimal("8")
    services.scoring_rule_save(actor=staff_user, rule=rule, changed=["points"])
    assert scores(YEAR)["甲"].total == Decimal("8")
    assert scores(YEAR - 1)["甲"].total == Decimal("10")
    scheme.cap_opinion = Decimal("5")
    services.scoring_scheme_save(actor=staff_user, scheme=scheme, changed=["cap_opinion"])
    assert scores(YEAR)["甲"].total == Decimal("5")
    assert scores(YEAR - 1)["甲"].total == Decimal("10")
    # opening a year again returns the same scheme; the seeded current year keeps its own rules
    assert services.scoring_scheme_open(actor=staff_user, year=YEAR) == scheme
    current = ScoringScheme.objects.exclude(pk=scheme.pk).order_by("-year").first()
    assert current.rules.get(kind=K.OPINION_SUBMITTED, detail="").points == Decimal("10")


def test_scheme_without_rows_uses_defaults_and_seeded_scheme_matches():
    seeded = ScoringScheme.objects.order_by("-year").first()
    defaults = scoring.default_scheme(2000)
    assert seeded is not None, "data migration seeds the current year's scheme"
    got = {(r.kind, r.detail): (r.points, r.cap, r.group) for r in ScoringRule.objects.filter(scheme=seeded)}
    want = {(r.kind, r.detail): (r.points, r.cap, r.group) for r in defaults.rules}
    assert got == want
    assert seeded.cap_proposal == Decimal("25") and seeded.cap_standing is None


def test_constituency_contact_targets(make_member):
    a = make_member("甲")
    rec(a, K.CONSTITUENCY_CONTACT, day=date(YEAR, 1, 5), people=15)
    rec(a, K.CONSTITUENCY_CONTACT, day=date(YEAR, 2, 5), people=10)
    rec(a, K.CONSTITUENCY_CONTACT, day=date(YEAR, 8, 5), people=20)
    rec(a, K.CONSTITUENCY_CONTACT, day=date(YEAR, 9, 5), people=99, status="pending")
    row = scores()["甲"]
    assert row.contact_quarters == 2
    assert row.contact_people == 45


def test_three_ones(make_member):
    a = make_member("甲")
    rec(a, K.PLENARY_ATTENDANCE, detail="present")
    rec(a, K.OPINION_SUBMITTED)
    row = scores()["甲"]
    assert row.three_ones == {"plenary": True, "proposal_or_opinion": True, "research": False}
    assert not row.three_ones_met
    rec(a, K.INSPECTION)
    assert scores()["甲"].three_ones_met


def test_resigned_member_without_records_is_not_ranked(make_member):
    make_member("在任")
    make_member("辞职", status=Member.Status.RESIGNED)
    names = set(scores())
    assert "在任" in names and "辞职" not in names


def test_member_year_score_unranked_member(make_member):
    m = make_member("辞职", status=Member.Status.RESIGNED)
    row, _ = member_year_score(m, YEAR)
    assert row.total == 0 and row.rank == 0
