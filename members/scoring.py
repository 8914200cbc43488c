"""Duty scores: the default scheme (桐城 2019 style, 100 points, pass line 60) and the yearly computation.

Scores are computed in the database from the confirmed records of a year and the rules of that year
(ScoringScheme/ScoringRule, or the defaults below when the year has no scheme), and kept per member and
year in MemberYearScore: a record's change recomputes its member's year (refresh_scores, in the writing
transaction), a rule change recomputes exactly its own year and nothing else (rebuild_year). The ranking
reads that table. One query computes a year (or a few members of it):

    records of the year → quantity per (member, kind, detail) → points per rule (rule cap)
    → points per group (group cap) → total → RANK() over all ranked members.

The SQL is plain enough to run on PostgreSQL and on the SQLite of `make run`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from zhengxie.figures_cache import remembered_rows

from .models import DutyAttendanceCount, DutyRecord, Member, MemberYearScore, ScoringRule, ScoringScheme

K = DutyRecord.Kind
G = ScoringRule.Group

# (kind, detail, group, points, cap) — detail "" is the rule for every other detail of the kind.
DEFAULT_RULES: list[tuple[str, str, str, str, str | None]] = [
    (K.PLENARY_ATTENDANCE, "", G.PLENARY, "50", None),
    (K.PLENARY_ATTENDANCE, "present", G.PLENARY, "50", None),
    (K.PLENARY_ATTENDANCE, "leave", G.PLENARY, "30", None),
    (K.PLENARY_ATTENDANCE, "absent", G.PLENARY, "0", None),
    (K.STANDING_ATTENDANCE, "", G.STANDING, "0", None),
    (K.STANDING_ATTENDANCE, "leave", G.STANDING, "-2", None),
    (K.STANDING_ATTENDANCE, "absent", G.STANDING, "-5", None),
    (K.PROPOSAL_SUBMITTED, "", G.PROPOSAL, "10", None),
    (K.PROPOSAL_REGISTERED, "", G.PROPOSAL, "15", None),
    (K.MEETING_ATTENDANCE, "", G.ACTIVITY, "2", None),
    (K.MEETING_ATTENDANCE, "leave", G.ACTIVITY, "0", None),
    (K.MEETING_ATTENDANCE, "absent", G.ACTIVITY, "0", None),
    (K.RESEARCH, "", G.ACTIVITY, "2", None),
    (K.INSPECTION, "", G.ACTIVITY, "2", None),
    (K.CONSTITUENCY_CONTACT, "", G.ACTIVITY, "2", None),
    (K.TRAINING, "", G.ACTIVITY, "2", None),
    (K.SUPERVISION, "", G.ACTIVITY, "2", None),
    (K.HEARING, "", G.ACTIVITY, "2", None),
    (K.RECEPTION, "", G.ACTIVITY, "2", None),
    (K.SPEECH, "", G.ACTIVITY, "2", None),
    (K.SPEECH, "written", G.ACTIVITY, "5", None),
    (K.SPEECH, "oral", G.ACTIVITY, "5", None),
    (K.OPINION_SUBMITTED, "", G.OPINION, "10", None),
    (K.OPINION_ADOPTED, "", G.OPINION, "5", None),
    (K.PROPOSAL_KEY, "", G.BONUS, "5", None),
    (K.PROPOSAL_EXCELLENT, "", G.BONUS, "5", None),
    (K.OPINION_UPPER_ADOPTED, "", G.BONUS, "5", None),
    (K.OPINION_INSTRUCTED, "", G.BONUS, "5", None),
    (K.PUBLIC_SERVICE, "", G.BONUS, "2", "10"),
    (K.ONLINE_DELIBERATION, "", G.ACTIVITY, "1", "5"),
    (K.ONLINE_DELIBERATION_ADOPTED, "", G.BONUS, "2", "10"),
    (K.OTHER, "", G.BONUS, "0", None),
]

DEFAULT_CAPS: dict[str, str | None] = {
    G.PLENARY: "50",
    G.STANDING: None,
    G.PROPOSAL: "25",
    G.ACTIVITY: "10",
    G.OPINION: "15",
    G.BONUS: None,
}
DEFAULT_LOW_LINE = Decimal("60")
# Constituency contact (联系界别群众) targets: one activity a quarter, 40 people a year.
DEFAULT_CONTACT_QUARTER_TARGET = 1
DEFAULT_CONTACT_PEOPLE_TARGET = 40

# Grades on the 100-point scale, highest first.
GRADES = [(Decimal("90"), "优秀"), (Decimal("80"), "良好"), (Decimal("60"), "称职")]
GRADE_FAIL = "不称职"
# 全会出席 is half of the 100 points: while a year has no plenary attendance record at all (not recorded
# yet), a grade would fail everyone, so rows carry no grade and this note instead.
NO_PLENARY_NOTE = "尚无全会出勤记录"

# 请假/缺席: an attendance record that is not a person-time of the year's figures.
NOT_ATTENDED = ("leave", "absent")

# What a member may report themself (pending until staff confirm).
SELF_REPORTABLE = [K.CONSTITUENCY_CONTACT, K.RESEARCH, K.INSPECTION, K.PUBLIC_SERVICE, K.TRAINING]

# "三个一": at least one plenary, one proposal or 社情民意, one 调研/视察 a year.
THREE_ONES = [
    ("plenary", "出席一次全体会议"),
    ("proposal_or_opinion", "提交一件提案或社情民意"),
    ("research", "参加一次调研或视察"),
]


def grade_of(total: Decimal) -> str:
    for line, name in GRADES:
        if total >= line:
            return name
    return GRADE_FAIL


@dataclass
class Rule:
    kind: str
    detail: str
    group: str
    points: Decimal
    cap: Decimal | None


@dataclass
class Scheme:
    """The rules of a year, from its ScoringScheme or the defaults."""

    year: int
    rules: list[Rule]
    caps: dict[str, Decimal | None]
    low_line: Decimal
    contact_people_target: int
    contact_quarter_target: int
    is_default: bool = False

    def rule_for(self, kind: str, detail: str) -> Rule | None:
        fallback = None
        for rule in self.rules:
            if rule.kind == kind:
                if rule.detail == detail:
                    return rule
                if rule.detail == "":
                    fallback = rule
        return fallback

    def points_of(self, record) -> Decimal:
        """A record's own points before caps (share × the rule's points); 0 unless confirmed."""
        rule = self.rule_for(record.kind, record.detail)
        if rule is None or record.status != DutyRecord.Status.CONFIRMED:
            return Decimal("0")
        return (Decimal(record.share) * rule.points).quantize(Decimal("0.01"))


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def default_scheme(year: int) -> Scheme:
    return Scheme(
        year=year,
        rules=[Rule(k, d, g, Decimal(p), _dec(c)) for k, d, g, p, c in DEFAULT_RULES],
        caps={g: _dec(c) for g, c in DEFAULT_CAPS.items()},
        low_line=DEFAULT_LOW_LINE,
        contact_people_target=DEFAULT_CONTACT_PEOPLE_TARGET,
        contact_quarter_target=DEFAULT_CONTACT_QUARTER_TARGET,
        is_default=True,
    )


def scheme_for(year: int) -> Scheme:
    """The scheme of a year in one query (the scheme row joined with its rules)."""
    rules = list(ScoringRule.objects.filter(scheme__year=year).select_related("scheme"))
    if rules:
        row = rules[0].scheme
    else:
        row = ScoringScheme.objects.filter(year=year).first()
        if row is None:
            return default_scheme(year)
    return Scheme(
        year=year,
        rules=[Rule(r.kind, r.detail, r.group, r.points, r.cap) for r in rules],
        caps={g: getattr(row, f"cap_{g}") for g in G.values},
        low_line=row.low_line,
        contact_people_target=row.contact_people_target,
        contact_quarter_target=row.contact_quarter_target,
    )


@dataclass
class ScoreRow:
    member_id: int
    name: str
    sector_id: int | None
    sector: str
    party_id: int | None
    party: str
    total: Decimal
    rank: int
    grade: str | None  # None while the year has no plenary attendance record (grade_note says so)
    below_line: bool
    three_ones: dict[str, bool] = field(default_factory=dict)
    contact_quarters: int = 0
    contact_people: int = 0
    by_group: dict[str, Decimal] = field(default_factory=dict)
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    grade_note: str = ""

    @property
    def three_ones_met(self) -> bool:
        return all(self.three_ones.values())

    @property
    def grade_text(self) -> str:
        """What a page shows in the 等次 column: the grade, or why there is none."""
        return self.grade or self.grade_note


def honest_grade(total: Decimal, plenary_recorded: bool) -> tuple[str | None, str]:
    """(grade, note): no grade while the year has no plenary attendance record at all."""
    if not plenary_recorded:
        return None, NO_PLENARY_NOTE
    return grade_of(total), ""


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _rules_cte(scheme: Scheme) -> tuple[str, list]:
    rules = scheme.rules or [Rule("__none__", "", "bonus", Decimal("0"), None)]
    values, params = [], []
    for i, r in enumerate(rules):
        values.append("(%s, %s, %s, %s, CAST(%s AS NUMERIC), CAST(%s AS NUMERIC))")
        params += [i, r.kind, r.detail, r.group, r.points, r.cap]
    caps = [(g, c) for g, c in scheme.caps.items()] or [("bonus", None)]
    cap_values = []
    for g, c in caps:
        cap_values.append("(%s, CAST(%s AS NUMERIC))")
        params += [g, c]
    sql = (
        f"rules(rule_id, kind, detail, grp, points, cap) AS (VALUES {', '.join(values)}), "
        f"caps(grp, cap) AS (VALUES {', '.join(cap_values)})"
    )
    return sql, params


def _capped(expr: str, cap: str) -> str:
    # LEAST() is not in SQLite; CASE is everywhere.
    return f"CASE WHEN {cap} IS NOT NULL AND {expr} > {cap} THEN {cap} ELSE {expr} END"


def _score_ctes(scheme: Scheme, member_ids: list[int] | None) -> tuple[str, list]:
    start, end = _year_bounds(scheme.year)
    rules_sql, params = _rules_cte(scheme)
    member_filter = ""
    member_params: list = []
    if member_ids is not None:
        member_filter = (
            f" AND d.member_id IN ({', '.join(['%s'] * len(member_ids))})" if member_ids else " AND 1=0"
        )
        member_params = list(member_ids)
    table = DutyRecord._meta.db_table
    per_group_sum = "SUM(p.pts)"
    sql = f"""
        {rules_sql},
        agg AS (
            SELECT d.member_id, d.kind, d.detail, SUM(d.share) AS qty,
                SUM(COALESCE(d.people, 0)) AS people, COUNT(*) AS cnt,
                -- Whether the group has a date in each quarter, from MIN/MAX (cheaper per row than four
                -- CASEs): e.g. Q2 has one if the first date on or after Apr 1 is before Jul 1.
                CASE WHEN MIN(d.date) < %s THEN 1 ELSE 0 END AS q1,
                CASE WHEN MIN(CASE WHEN d.date >= %s THEN d.date END) < %s THEN 1 ELSE 0 END AS q2,
                CASE WHEN MAX(CASE WHEN d.date < %s THEN d.date END) >= %s THEN 1 ELSE 0 END AS q3,
                CASE WHEN MAX(d.date) >= %s THEN 1 ELSE 0 END AS q4
            FROM {table} d
            WHERE d.status = %s AND d.date >= %s AND d.date < %s{member_filter}
            GROUP BY d.member_id, d.kind, d.detail
        ),
        matched AS (
            -- The rule of each (kind, detail): its own, else the kind's "" rule (hash joins, not a
            -- subquery per row).
            SELECT a.member_id, a.qty, COALESCE(e.rule_id, f.rule_id) AS rule_id,
                CASE WHEN e.rule_id IS NOT NULL THEN e.points ELSE f.points END AS points
            FROM agg a
            LEFT JOIN rules e ON e.kind = a.kind AND e.detail = a.detail
            LEFT JOIN rules f ON f.kind = a.kind AND f.detail = ''
        ),
        per_rule_raw AS (
            SELECT a.member_id, a.rule_id, SUM(a.qty * a.points) AS pts
            FROM matched a
            WHERE a.rule_id IS NOT NULL
            GROUP BY a.member_id, a.rule_id
        ),
        per_rule AS (
            SELECT a.member_id, r.kind, r.grp, {_capped("a.pts", "r.cap")} AS pts
            FROM per_rule_raw a JOIN rules r ON r.rule_id = a.rule_id
        ),
        per_group AS (
            SELECT p.member_id, p.grp, {_capped(per_group_sum, "c.cap")} AS pts
            FROM per_rule p LEFT JOIN caps c ON c.grp = p.grp
            GROUP BY p.member_id, p.grp, c.cap
        ),
        totals AS (SELECT member_id, SUM(pts) AS total FROM per_group GROUP BY member_id)
    """
    q2, q3, q4 = date(scheme.year, 4, 1), date(scheme.year, 7, 1), date(scheme.year, 10, 1)
    params += [q2, q2, q3, q4, q3, q4, DutyRecord.Status.CONFIRMED, start, end, *member_params]
    return sql, params


# PostgreSQL settings for the ranking query, for its own transaction only. Serial: the planner tends to
# a parallel plan that fetches heap rows and re-sorts them, slower on 2 cores than reading the
# duty_score_scan index in (member, kind, detail) order with no sort at all. No JIT: compiling costs
# more than it saves on a query of well under a second.
_PG_RANKING_SETTINGS = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off; "


def _fetch_ranking(sql: str, params: list) -> list[tuple]:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    # One round trip: psycopg2 sends the statements together and returns the last one's rows.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PG_RANKING_SETTINGS + sql, params)
        return cursor.fetchall()


# --- the maintained table: MemberYearScore -----------------------------------------------------------
#
# Each (member, year) row holds what the ranking query used to compute live from every record of the
# year: the total, the 三个一 flags, 联系界别群众 quarters/people and the breakdown by group and kind. The
# services that write records call refresh_scores() in their own transaction (one writer per kind of
# change: members.services.record_duty/withdraw_duty/_duty_review and the bulk register); a rule change
# calls rebuild_year(). Both compute with the same CTEs (_score_ctes) the live ranking ran, so the
# figures are the same. Concurrency: a refresh takes a transaction-scoped advisory lock per (year, member)
# (and a shared one per year, which a year rebuild takes exclusively) before it reads the records, so two
# transactions writing records of one member compute one after the other, each seeing the other's
# committed records.


def _flag_sql() -> tuple[str, list]:
    sql = """
        flags AS (
            SELECT a.member_id,
                MAX(CASE WHEN a.kind = %s AND a.detail IN ('', 'present') THEN 1 ELSE 0 END) AS f_plenary,
                MAX(CASE WHEN a.kind = %s THEN 1 ELSE 0 END) AS f_plenary_any,
                MAX(CASE WHEN a.kind IN (%s, %s) THEN 1 ELSE 0 END) AS f_proposal,
                MAX(CASE WHEN a.kind IN (%s, %s) THEN 1 ELSE 0 END) AS f_research,
                MAX(CASE WHEN a.kind = %s THEN a.q1 ELSE 0 END) + MAX(CASE WHEN a.kind = %s THEN a.q2 ELSE 0 END)
                + MAX(CASE WHEN a.kind = %s THEN a.q3 ELSE 0 END) + MAX(CASE WHEN a.kind = %s THEN a.q4 ELSE 0 END)
                    AS contact_quarters,
                SUM(CASE WHEN a.kind = %s THEN a.people ELSE 0 END) AS contact_people
            FROM agg a
            GROUP BY a.member_id
        )
    """
    params = [
        K.PLENARY_ATTENDANCE,
        K.PLENARY_ATTENDANCE,
        K.PROPOSAL_SUBMITTED,
        K.OPINION_SUBMITTED,
        K.RESEARCH,
        K.INSPECTION,
        *[K.CONSTITUENCY_CONTACT] * 5,
    ]
    return sql, params


def _points(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01")))


def computed_scores(scheme: Scheme, member_ids: list[int] | None = None) -> dict[int, MemberYearScore]:
    """member id → its (unsaved) MemberYearScore of the scheme's year, computed from the confirmed records
    (every member with one, or only these). One query."""
    ctes, params = _score_ctes(scheme, member_ids)
    flags, flag_params = _flag_sql()
    sql = f"""
        WITH {ctes}, {flags}
        SELECT 'm', f.member_id, '', t.total, CASE WHEN t.member_id IS NULL THEN 0 ELSE 1 END,
            f.f_plenary, f.f_plenary_any, f.f_proposal, f.f_research, f.contact_quarters, f.contact_people
        FROM flags f LEFT JOIN totals t ON t.member_id = f.member_id
        UNION ALL
        SELECT 'g', member_id, grp, pts, 0, 0, 0, 0, 0, 0, 0 FROM per_group
        UNION ALL
        SELECT 'k', member_id, kind, SUM(pts), 0, 0, 0, 0, 0, 0, 0 FROM per_rule GROUP BY member_id, kind
        UNION ALL
        SELECT 'a', member_id, kind, SUM(cnt), 0, 0, 0, 0, 0, 0, 0 FROM agg
        WHERE detail NOT IN (%s, %s) GROUP BY member_id, kind
    """
    rows = _fetch_ranking(sql, params + flag_params + list(NOT_ATTENDED))
    result: dict[int, MemberYearScore] = {}
    parts: list[tuple] = []
    for what, mid, key, pts, scored, fp, fpa, fo, fr, cq, cp in rows:
        if what != "m":
            parts.append((what, mid, key, pts))
            continue
        result[mid] = MemberYearScore(
            member_id=mid,
            year=scheme.year,
            points=Decimal(str(pts or 0)),
            scored=bool(scored),
            plenary=bool(fp),
            plenary_any=bool(fpa),
            proposal_or_opinion=bool(fo),
            research=bool(fr),
            contact_quarters=int(cq or 0),
            contact_people=int(cp or 0),
            by_group={},
            by_kind={},
            attended={},
            person_times=0,
        )
    for what, mid, key, value in parts:
        score = result[mid]
        if what == "a":
            score.attended[key] = int(value)
            score.person_times += int(value)
        else:
            (score.by_group if what == "g" else score.by_kind)[key] = _points(value)
    return result


_STORED_FIELDS = [
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
    "attended",
    "person_times",
    "updated_at",
]


def _lock(*, years_exclusive=(), pairs=()) -> None:
    """Transaction-scoped advisory locks (PostgreSQL; other databases run one writer at a time): a year
    exclusively (a rebuild) or shared plus each (year, member) exclusively (a refresh), in a fixed order.
    Keys (year, member id) and (-year, 0) in the two-int key space, which no other lock of ours uses."""
    if connection.vendor != "postgresql":
        return
    calls, params = [], []
    for year in sorted(set(years_exclusive)):
        calls.append("pg_advisory_xact_lock(%s, 0)")
        params.append(-year)
    for year in sorted({y for _, y in pairs}):
        calls.append("pg_advisory_xact_lock_shared(%s, 0)")
        params.append(-year)
    for member_id, year in sorted(set(pairs), key=lambda p: (p[1], p[0])):
        calls.append("pg_advisory_xact_lock(%s, %s)")
        params += [year, member_id]
    if calls:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(calls), params)


def refresh_scores(pairs) -> None:
    """Recompute the MemberYearScore of each (member id, year) from its records, in the caller's
    transaction: what every service that adds, changes, confirms or removes a duty record calls."""
    pairs = {(int(m), int(y)) for m, y in pairs}
    if not pairs:
        return
    with transaction.atomic():
        _lock(pairs=pairs)
        by_year: dict[int, list[int]] = {}
        for member_id, year in pairs:
            by_year.setdefault(year, []).append(member_id)
        for year, member_ids in sorted(by_year.items()):
            member_ids.sort()
            # The scheme is read after the lock, so a rule change committed meanwhile is seen.
            computed = computed_scores(scheme_for(year), member_ids)
            # These members' rows are ours alone (their advisory locks): what they held before is exact.
            before = MemberYearScore.objects.filter(year=year, member_id__in=member_ids).only(
                "person_times", "attended"
            )
            _attendance_add(year, attendance_sums(computed.values()), attendance_sums(before), sign=-1)
            if computed:
                MemberYearScore.objects.bulk_create(
                    list(computed.values()),
                    update_conflicts=True,
                    unique_fields=["member", "year"],
                    update_fields=_STORED_FIELDS,
                )
            gone = [m for m in member_ids if m not in computed]
            if gone:
                MemberYearScore.objects.filter(year=year, member_id__in=gone).delete()


def rebuild_year(year: int, *, model=None) -> int:
    """Recompute every MemberYearScore of a year from the records (a rule change, the management
    command); returns the number of rows. `model`: a migration's historical MemberYearScore (only the
    fields it has are written)."""
    model = model or MemberYearScore
    with transaction.atomic():
        _lock(years_exclusive=[year])
        computed = computed_scores(scheme_for(year), None)
        model.objects.filter(year=year).delete()
        if model is MemberYearScore:
            rows = list(computed.values())
        else:
            names = {f.attname for f in model._meta.concrete_fields} - {"id"}
            rows = [
                model(**{n: getattr(s, n) for n in names if n != "updated_at"}) for s in computed.values()
            ]
        model.objects.bulk_create(rows, batch_size=2000)
        if model is MemberYearScore:  # a migration's historical model may predate the rollup
            DutyAttendanceCount.objects.filter(year=year).delete()
            _attendance_add(year, attendance_sums(rows))
    return len(computed)


def attendance_sums(rows) -> dict[str, list[int]]:
    """kind → [person-times, members] over scores with person-times, as DutyAttendanceCount holds them
    (kind "": every kind)."""
    sums: dict[str, list[int]] = {}
    for row in rows:
        if row.person_times <= 0:
            continue
        for kind, n in [("", row.person_times), *(row.attended or {}).items()]:
            entry = sums.setdefault(kind, [0, 0])
            entry[0] += int(n)
            entry[1] += 1
    return sums


def _attendance_add(year: int, added: dict, removed: dict | None = None, *, sign: int = 1) -> None:
    """Add `added` (and `sign` × `removed`) to the year's DutyAttendanceCount rows: one upsert, rows in
    kind order (concurrent refreshes of a year lock them in the same order)."""
    delta: dict[str, list[int]] = {k: list(v) for k, v in added.items()}
    for kind, (n, m) in (removed or {}).items():
        entry = delta.setdefault(kind, [0, 0])
        entry[0] += sign * n
        entry[1] += sign * m
    rows = [(year, kind, n, m) for kind, (n, m) in sorted(delta.items()) if n or m]
    if not rows:
        return
    table = DutyAttendanceCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, kind, person_times, members) VALUES {values} "
            f"ON CONFLICT (year, kind) DO UPDATE SET person_times = {table}.person_times + "
            f"EXCLUDED.person_times, members = {table}.members + EXCLUDED.members",
            [v for row in rows for v in row],
        )


def stored_years() -> list[int]:
    """Every year with a duty record or a stored score, oldest first."""
    years = {d.year for d in DutyRecord.objects.dates("date", "year")}
    years |= set(MemberYearScore.objects.values_list("year", flat=True).distinct())
    return sorted(years)


def year_scores(year: int, *, scheme: Scheme | None = None) -> list[ScoreRow]:
    """Every ranked member's score of the year (serving members and anyone with a scored record), best
    first; ties share a rank (1, 1, 3). Reads MemberYearScore: one query over the members, however many
    records the year has (the scheme, read unless given, gives the low line)."""
    scheme = scheme or scheme_for(year)
    m, s, p, y = (
        Member._meta.db_table,
        Member._meta.get_field("sector").related_model._meta.db_table,
        Member._meta.get_field("party").related_model._meta.db_table,
        MemberYearScore._meta.db_table,
    )
    sql = f"""
        SELECT m.id, m.name, m.sector_id, COALESCE(s.name, ''), m.party_id, COALESCE(p.name, ''),
            COALESCE(y.points, 0) AS total, RANK() OVER (ORDER BY COALESCE(y.points, 0) DESC) AS rnk,
            CASE WHEN y.plenary THEN 1 ELSE 0 END, CASE WHEN y.proposal_or_opinion THEN 1 ELSE 0 END,
            CASE WHEN y.research THEN 1 ELSE 0 END, COALESCE(y.contact_quarters, 0),
            COALESCE(y.contact_people, 0),
            MAX(CASE WHEN y.plenary_any THEN 1 ELSE 0 END) OVER () AS plenary_recorded
        FROM {m} m
        LEFT JOIN {y} y ON y.member_id = m.id AND y.year = %s
        LEFT JOIN {s} s ON s.id = m.sector_id
        LEFT JOIN {p} p ON p.id = m.party_id
        WHERE m.status = %s OR y.scored
        ORDER BY rnk, m.name, m.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, Member.Status.SERVING])
        rows = cursor.fetchall()
    return _score_rows(rows, scheme)


# Score bands of the statistics page, highest first: (label, low, high), low inclusive; the same lines
# as GRADES.
BANDS = [("90分以上", 90, None), ("80–89分", 80, 90), ("60–79分", 60, 80), ("60分以下", None, 60)]


def year_distribution(year: int) -> dict:
    """How the year's ranked members spread over BANDS and grades, counted in the database (one query
    over the members): {"members", "bands": [(label, n)], "grades": [(grade, n)] most first}. Grades are
    those year_scores gives (None for everyone while the year has no plenary attendance record)."""
    m, y = Member._meta.db_table, MemberYearScore._meta.db_table
    band_sql = ", ".join(
        "SUM(CASE WHEN "
        + " AND ".join(
            ([f"r.total >= {low}"] if low is not None else []) + ([f"r.total < {high}"] if high else [])
        )
        + " THEN 1 ELSE 0 END)"
        for _, low, high in BANDS
    )
    sql = f"""
        SELECT COUNT(*), {band_sql}, MAX(r.plenary_any)
        FROM (
            SELECT ROUND(COALESCE(y.points, 0), 2) AS total, CASE WHEN y.plenary_any THEN 1 ELSE 0 END AS plenary_any
            FROM {m} m LEFT JOIN {y} y ON y.member_id = m.id AND y.year = %s
            WHERE m.status = %s OR y.scored
        ) r
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, Member.Status.SERVING])
        members, *counts, recorded = cursor.fetchone()
    counts = [int(n or 0) for n in counts]
    bands = [(label, n) for (label, _, _), n in zip(BANDS, counts, strict=True)]
    if not members:
        grades = []
    elif recorded:
        names = [name for _, name in GRADES] + [GRADE_FAIL]
        grades = [(name, n) for name, n in zip(names, counts, strict=True) if n]
    else:
        grades = [(None, members)]
    return {"members": members, "bands": bands, "grades": sorted(grades, key=lambda kv: -kv[1])}


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and -(2**63) < number < 2**63 else None


class RankingRows:
    """A year's ranking filtered and ordered in the database, for a Paginator: count() and a slice each
    run one query over the members and their MemberYearScore, so a page costs the same however many
    members rank. Ranks, grades and the order are those of year_scores + members.selectors'
    ranking_filter/ranking_sort (names compare by code point, as Python does).

    No window sorts every member for their rank (at 50k members that sort spilled to disk on every page):
    count() also reads how many members have each total, and a row's rank is 1 + those with more."""

    # By rank is by total, highest first (a rank is 1 + how many members have more points).
    ORDERS = {
        "rank": "r.total DESC, {name}, r.id",
        "-rank": "r.total, {name}, r.id",
        "name": "{name}, r.id",
        "sector": "CASE WHEN r.sector = '' THEN 1 ELSE 0 END, r.sector{c}, r.total DESC, {name}, r.id",
        "party": "CASE WHEN r.party = '' THEN 1 ELSE 0 END, r.party{c}, r.total DESC, {name}, r.id",
        "total": "r.shown, {name}, r.id",
        "-total": "r.shown DESC, {name}, r.id",
    }

    def __init__(
        self,
        year,
        scheme,
        *,
        member_id=None,
        sector=None,
        party=None,
        committee=None,
        q=None,
        grade=None,
        low=None,
        ordering=None,
    ):
        self.year, self.scheme = year, scheme
        self.ordering = ordering if ordering in self.ORDERS else "rank"
        where, params = [], []
        if member_id is not None:  # one member's row, ranked within the whole year
            where.append("r.id = %s")
            params.append(int(member_id))
        ids = {
            name: _int_or_none(value)
            for name, value in (("sector", sector), ("party", party), ("committee", committee))
        }
        if any(
            value and ids[name] is None
            for name, value in (("sector", sector), ("party", party), ("committee", committee))
        ):
            where.append("1 = 0")  # not an id: nothing matches (as the filter over the rows had it)
        if ids["sector"] is not None:
            where.append("r.sector_id = %s")
            params.append(ids["sector"])
        if ids["party"] is not None:
            where.append("r.party_id = %s")
            params.append(ids["party"])
        if ids["committee"] is not None:
            through = Member.committees.through._meta.db_table
            where.append(
                f"EXISTS (SELECT 1 FROM {through} c WHERE c.member_id = r.id AND c.specialcommittee_id = %s)"
            )
            params.append(ids["committee"])
        if q:
            where.append(
                "STRPOS(r.name, %s) > 0" if connection.vendor == "postgresql" else "INSTR(r.name, %s) > 0"
            )
            params.append(q)
        if grade:
            where.append(self._grade_sql(grade))
        if low:
            where.append("r.shown < %s")
            params.append(scheme.low_line)
        self.where = " AND ".join(where) or "1 = 1"
        self.params = params
        self._count = None
        self.plenary_recorded = False

    @staticmethod
    def _grade_sql(grade: str) -> str:
        lines = {name: line for line, name in GRADES}
        if grade in lines:
            higher = [line for line, _ in GRADES if line > lines[grade]]
            upper = f" AND r.shown < {min(higher)}" if higher else ""
            return f"r.recorded = 1 AND r.shown >= {lines[grade]}{upper}"
        if grade == GRADE_FAIL:
            return f"r.recorded = 1 AND r.shown < {min(line for line, _ in GRADES)}"
        return "1 = 0"

    def _ranked(self, points: tuple | None = None) -> tuple[str, list]:
        """The CTE `r` of every ranked member (rnk is left to _rank_of); with `points` (lo, hi), lo > 0,
        only the members whose year's points lie between them (from the (year, points) index)."""
        m, s, p, y = (
            Member._meta.db_table,
            Member._meta.get_field("sector").related_model._meta.db_table,
            Member._meta.get_field("party").related_model._meta.db_table,
            MemberYearScore._meta.db_table,
        )
        sql = f"""
            WITH r AS (
                SELECT m.id, m.name, m.sector_id, COALESCE(s.name, '') AS sector, m.party_id,
                    COALESCE(p.name, '') AS party, COALESCE(y.points, 0) AS total,
                    ROUND(COALESCE(y.points, 0), 2) AS shown,
                    0 AS rnk,
                    CASE WHEN y.plenary THEN 1 ELSE 0 END AS f_plenary,
                    CASE WHEN y.proposal_or_opinion THEN 1 ELSE 0 END AS f_proposal,
                    CASE WHEN y.research THEN 1 ELSE 0 END AS f_research,
                    COALESCE(y.contact_quarters, 0) AS contact_quarters,
                    COALESCE(y.contact_people, 0) AS contact_people,
                    CASE WHEN EXISTS (
                        -- whether the year has any plenary attendance record among the ranked (computed
                        -- once, not a window over every member's row; the first such record answers)
                        SELECT 1 FROM {y} y2 JOIN {m} m2 ON m2.id = y2.member_id
                        WHERE y2.year = %s AND y2.plenary_any AND (m2.status = %s OR y2.scored)
                    ) THEN 1 ELSE 0 END AS recorded
                FROM {m} m
                LEFT JOIN {y} y ON y.member_id = m.id AND y.year = %s
                LEFT JOIN {s} s ON s.id = m.sector_id
                LEFT JOIN {p} p ON p.id = m.party_id
                WHERE (m.status = %s OR y.scored){" AND y.points BETWEEN %s AND %s" if points else ""}
            )
        """
        serving = Member.Status.SERVING
        return sql, [self.year, serving, self.year, serving, *(points or ())]

    def count(self) -> int:
        """The filtered rows; also every total's number of ranked members (unfiltered: ranks are the
        year's), read in the same pass."""
        if self._count is None:
            sql, params = self._ranked()
            # Remembered while nothing commits (zhengxie.figures_cache): a page of the ranking is read
            # far more often than a score changes.
            groups = remembered_rows(
                sql + f" SELECT r.total, COUNT(*), SUM(CASE WHEN {self.where} THEN 1 ELSE 0 END), "
                "MAX(r.recorded) FROM r GROUP BY r.total",
                params + self.params,
            )
            self._count = sum(int(shown or 0) for _, _, shown, _ in groups)
            # Each total's filtered rows, for the totals a page of the rank order spans (_page_points).
            self._filtered = sorted((total, int(shown)) for total, _, shown, _ in groups if shown)
            self.plenary_recorded = any(recorded for *_, recorded in groups)
            # Lowest total first, with how many members have that total or less.
            self._totals, self._at_most, running = [], [], 0
            for total, n, _, _ in sorted(groups, key=lambda g: g[0]):
                running += n
                self._totals.append(total)
                self._at_most.append(running)
        return self._count

    def _rank_of(self, total) -> int:
        """1 + the members with more points. By position, not by lookup: a score refreshed between the
        count and the page (two queries) still gets a rank."""
        at = bisect.bisect_right(self._totals, total)  # how many totals are <= this one
        members = self._at_most[-1] if self._at_most else 0
        return 1 + members - (self._at_most[at - 1] if at else 0)

    def __len__(self) -> int:
        return self.count()

    def _page_points(self, start: int, stop: int | None):
        """(points, skipped) for rows [start, stop) in rank order: the (lowest, highest) total on them and
        how many rows come before the highest, from count()'s totals, so the page reads the members with
        those points through the (year, points) index instead of ranking every member (~15 ms at 12,500
        members, on every page whose figures are not remembered). (None, 0) when the page reaches members
        without points or is not in rank order; (False, 0) past the last row."""
        if self.ordering not in ("rank", "-rank") or stop is None or stop <= start:
            return None, 0
        totals = self._filtered if self.ordering == "-rank" else self._filtered[::-1]
        before, first, last, skipped = 0, None, None, 0
        for total, n in totals:
            if before + n > start and first is None:
                first, skipped = total, before
            if first is not None:
                last = total
            before += n
            if before >= stop:
                break
        if first is None:
            return False, 0
        lo, hi = min(first, last), max(first, last)
        return ((lo, hi), skipped) if lo > 0 else (None, 0)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            raise TypeError("RankingRows only slices")
        start, stop = key.start or 0, key.stop
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        order = self.ORDERS[self.ordering].format(name=f"r.name{collate}", c=collate)
        self.count()  # the totals' ranks
        points, skipped = self._page_points(start, stop)
        if points is False:
            return []
        sql, params = self._ranked(points)
        sql += f"""
            SELECT r.id, r.name, r.sector_id, r.sector, r.party_id, r.party, r.total, r.rnk, r.f_plenary,
                r.f_proposal, r.f_research, r.contact_quarters, r.contact_people, %s
            FROM r WHERE {self.where} ORDER BY {order}
        """
        # `recorded` is the year's, the same on every row: count() read it (the page would compute it again).
        params = [*params, 1 if self.plenary_recorded else 0, *self.params]
        if stop is not None:
            sql += " LIMIT %s"
            params.append(max(stop - start, 0))
        sql += " OFFSET %s"
        params.append(start - skipped)
        rows = [(*row[:7], self._rank_of(row[6]), *row[8:]) for row in remembered_rows(sql, params)]
        return _score_rows(rows, self.scheme)


def _score_rows(rows, scheme: Scheme) -> list[ScoreRow]:
    result = []
    for mid, name, sector_id, sector, party_id, party, total, rank, fp, fo, fr, cq, cp, recorded in rows:
        total = Decimal(str(total)).quantize(Decimal("0.01"))
        grade, note = honest_grade(total, bool(recorded))
        result.append(
            ScoreRow(
                member_id=mid,
                name=name,
                sector_id=sector_id,
                sector=sector,
                party_id=party_id,
                party=party,
                total=total,
                rank=int(rank),
                grade=grade,
                grade_note=note,
                below_line=total < scheme.low_line,
                three_ones={"plenary": bool(fp), "proposal_or_opinion": bool(fo), "research": bool(fr)},
                contact_quarters=int(cq or 0),
                contact_people=int(cp or 0),
            )
        )
    return result


def live_year_scores(year: int, *, scheme: Scheme | None = None) -> list[ScoreRow]:
    """year_scores computed live from every record of the year (what the ranking ran before the table;
    tests and the benchmark compare the two)."""
    scheme = scheme or scheme_for(year)
    ctes, params = _score_ctes(scheme, None)
    flags, flag_params = _flag_sql()
    m, s, p = (
        Member._meta.db_table,
        Member._meta.get_field("sector").related_model._meta.db_table,
        Member._meta.get_field("party").related_model._meta.db_table,
    )
    sql = f"""
        WITH {ctes}, {flags},
        ranked AS (
            SELECT m.id AS member_id, m.name, m.sector_id, m.party_id,
                COALESCE(t.total, 0) AS total,
                COALESCE(f.f_plenary, 0) AS f_plenary, COALESCE(f.f_proposal, 0) AS f_proposal,
                COALESCE(f.f_research, 0) AS f_research, COALESCE(f.f_plenary_any, 0) AS f_plenary_any,
                COALESCE(f.contact_quarters, 0) AS contact_quarters,
                COALESCE(f.contact_people, 0) AS contact_people
            FROM {m} m
            LEFT JOIN totals t ON t.member_id = m.id
            LEFT JOIN flags f ON f.member_id = m.id
            WHERE m.status = %s OR t.member_id IS NOT NULL
        )
        SELECT r.member_id, r.name, r.sector_id, COALESCE(s.name, ''), r.party_id, COALESCE(p.name, ''),
            r.total, RANK() OVER (ORDER BY r.total DESC) AS rnk,
            r.f_plenary, r.f_proposal, r.f_research, r.contact_quarters, r.contact_people,
            MAX(r.f_plenary_any) OVER () AS plenary_recorded
        FROM ranked r
        LEFT JOIN {s} s ON s.id = r.sector_id
        LEFT JOIN {p} p ON p.id = r.party_id
        ORDER BY rnk, r.name, r.member_id
    """
    rows = _fetch_ranking(sql, params + flag_params + [Member.Status.SERVING])
    return _score_rows(rows, scheme)


def plenary_recorded(rows: list[ScoreRow]) -> bool:
    """Whether the year of these rows (from year_scores) has any plenary attendance record."""
    return any(r.grade is not None for r in rows)


def unranked_row(member, rows: list[ScoreRow], *, names: bool = True) -> ScoreRow:
    """The zero row of a member outside a year's ranking, graded like the rest of the year (names=False:
    leave the sector and party names empty rather than read them)."""
    grade, note = honest_grade(Decimal("0"), plenary_recorded(rows))
    return ScoreRow(
        member_id=member.pk,
        name=member.name,
        sector_id=member.sector_id,
        sector=member.sector.name if names and member.sector_id else "",
        party_id=member.party_id,
        party=member.party.name if names and member.party_id else "",
        total=Decimal("0.00"),
        rank=0,
        grade=grade,
        grade_note=note,
        below_line=True,
        three_ones={k: False for k, _ in THREE_ONES},
    )


def breakdown(scheme: Scheme, member_ids: list[int]) -> dict[int, tuple[dict, dict]]:
    """member id → (points by group after caps, points by kind after rule caps) for a few members, from
    their MemberYearScore of the scheme's year."""
    result: dict[int, tuple[dict, dict]] = {mid: ({}, {}) for mid in member_ids}
    stored = MemberYearScore.objects.filter(year=scheme.year, member_id__in=member_ids).values_list(
        "member_id", "by_group", "by_kind"
    )
    for mid, by_group, by_kind in stored:
        result[mid] = (
            {k: Decimal(v) for k, v in by_group.items()},
            {k: Decimal(v) for k, v in by_kind.items()},
        )
    return result


def with_breakdown(scheme: Scheme, rows: list[ScoreRow]) -> list[ScoreRow]:
    """Fill by_group/by_kind of the given rows in one query."""
    parts = breakdown(scheme, [r.member_id for r in rows])
    for row in rows:
        row.by_group, row.by_kind = parts.get(row.member_id, ({}, {}))
    return rows
