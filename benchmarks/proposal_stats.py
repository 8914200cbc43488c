"""Benchmark the proposal statistics (issue 9) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengxie_bench \\
        .venv/bin/python benchmarks/proposal_stats.py --n 1000000 --years 1

Generates N received proposals (states, kinds, categories and stat_* flags at random) submitted in the
benchmark year (or spread over --years years, the benchmark year last), each with three handling tasks
(one 主办 and two 会办 among 60 departments) — 1M proposals give 3M assignments — with INSERT … SELECT
generate_series (fast), then VACUUM ANALYZE (as autovacuum would) and times, for the benchmark year:
the /stats/proposals/ figures (staff), one department's row, the summary paragraph, the whole
dashboard and the 考核. Each is run --repeat times; the best and median are printed. The figures come from
the trigger-maintained rollup tables (ProposalStatCount, AssignmentStatCount); the generator's inserts go
through the same triggers, so their cost is part of the generation time.

The database named by DATABASE_URL is dropped and recreated: never point it at real data.
"""

import argparse
import os
import random
import statistics
import sys
import time
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings_test")

YEAR = 2026


def recreate_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1]
    if not name.endswith("_bench"):
        raise SystemExit("refusing to drop a database whose name does not end in _bench")
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def generate(n: int, years: int) -> None:
    from datetime import date

    from django.db import connection

    from members.models import Member, Plenary, Sector, Term
    from zhengxie.accounts.models import Department, Role, User

    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    plenaries = [
        Plenary.objects.create(
            term=term,
            number=i + 1,
            start_date=date(YEAR - years + 1 + i, 1, 12),
            end_date=date(YEAR - years + 1 + i, 1, 15),
        )
        for i in range(years)
    ]
    sector = Sector.objects.create(name="经济界")
    staff = User.objects.create(username="bench_staff", role=Role.STAFF)
    Department.objects.bulk_create([Department(name=f"单位{i:02d}", code=f"D{i:03d}") for i in range(60)])
    proposer_user = User.objects.create(username="bench_member", role=Role.MEMBER)
    proposer = Member.objects.create(user=proposer_user, name="委员", sector=sector)
    first_plenary = plenaries[0].pk
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), count(*) FROM accounts_department")
        dept_min, dept_n = cur.fetchone()
        cur.execute("SELECT min(id), count(*) FROM proposals_proposalcategory")
        cat_min, cat_n = cur.fetchone()
        # Bulk load without the row triggers, then rebuild the rollups in one pass (as migration 0007 does);
        # the per-write cost of the triggers is measured separately below.
        cur.execute("ALTER TABLE proposals_proposal DISABLE TRIGGER proposals_proposal_stat")
        cur.execute("ALTER TABLE proposals_assignment DISABLE TRIGGER proposals_assignment_stat")
        t0 = time.perf_counter()
        # States weighted like a real year: most closed, some in handling, a few not registered.
        cur.execute(
            """
            INSERT INTO proposals_proposal (
                title, content, category_id, kind, organization, proposer_id, created_by_id, term_id,
                during_plenary, plenary_id, state, serial, number, submitted_at, return_reason,
                rejection_text, disposition, is_key, handling_round, closed_unrated, is_published,
                reply_published, publish_opt_out, created_at, updated_at,
                stat_contacted, stat_satisfaction, stat_on_time)
            SELECT '提案' || g, '', %(cat_min)s + (g %% %(cat_n)s),
                k.kind, CASE WHEN k.kind = 'collective' THEN '民盟市委' ELSE '' END,
                %(proposer)s, %(user)s, %(term)s, true, %(plenary)s + y.i,
                s.state, NULL, '', s.at, '', '', '', false, 1, false, false, false, false, s.at, s.at,
                s.replied AND (g %% 10) <> 0,
                CASE WHEN NOT s.replied THEN '' WHEN g %% 7 = 0 THEN '' WHEN g %% 13 = 0 THEN 'dissatisfied'
                     WHEN g %% 3 = 0 THEN 'basically_satisfied' ELSE 'satisfied' END,
                CASE WHEN s.replied THEN (g %% 9) <> 0 END
            FROM generate_series(1, %(n)s) g
            CROSS JOIN LATERAL (SELECT (g %% %(years)s) AS i) y
            CROSS JOIN LATERAL (SELECT CASE WHEN g %% 5 = 0 THEN 'collective'
                                            WHEN g %% 5 = 1 THEN 'joint' ELSE 'individual' END AS kind) k
            CROSS JOIN LATERAL (
                SELECT st AS state, st IN ('replied', 'rehandling', 'closed') AS replied,
                       make_timestamptz(%(first_year)s + y.i, 1 + (g %% 12), 1 + (g %% 28), 9, 0, 0,
                                        'Asia/Shanghai') AS at
                FROM (SELECT (ARRAY['closed','closed','closed','closed','closed','closed','replied',
                                    'in_progress','assigned','rehandling','not_registered','merged',
                                    'submitted','registered'])[1 + (g %% 14)] AS st) x
            ) s
            """,
            {
                "n": n,
                "years": years,
                "first_year": YEAR - years + 1,
                "cat_min": cat_min,
                "cat_n": cat_n,
                "proposer": proposer.pk,
                "user": proposer_user.pk,
                "term": term.pk,
                "plenary": first_plenary,
            },
        )
        print(f"  proposals: {n:,} in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        cur.execute(
            """
            INSERT INTO proposals_assignment (
                department_id, state, assigned_at, assigned_by_id, due_basis, due_span, due_date,
                due_provisional, accepted_at, replied_at, proposal_id, role, handling_round,
                adjustment_reason, adjustment_from_state, replaced_by_id, extension_state, extension_reason,
                extension_due_date, co_opinion, stat_term_id, stat_plenary_id, stat_year, stat_on_time,
                stat_result, stat_contacted, stat_satisfaction)
            SELECT %(dept_min)s + ((p.id * 7 + r.k * 13) %% %(dept_n)s),
                CASE WHEN p.stat_on_time IS NULL THEN 'accepted' ELSE 'replied' END,
                p.submitted_at, %(staff)s, p.submitted_at::date, '3m', p.submitted_at::date + 90,
                false, NULL, NULL, p.id, CASE WHEN r.k = 0 THEN 'lead' ELSE 'co' END, 1,
                '', '', NULL, '', '', NULL, '', p.term_id, p.plenary_id,
                extract(year FROM p.submitted_at AT TIME ZONE 'Asia/Shanghai')::int,
                p.stat_on_time,
                CASE WHEN r.k = 0 AND p.stat_on_time IS NOT NULL
                     THEN (ARRAY['A','A','B','C'])[1 + (p.id %% 4)] ELSE '' END,
                r.k = 0 AND p.stat_contacted, CASE WHEN r.k = 0 THEN p.stat_satisfaction ELSE '' END
            FROM proposals_proposal p CROSS JOIN generate_series(0, 2) AS r(k)
            """,
            {"dept_min": dept_min, "dept_n": dept_n, "staff": staff.pk},
        )
        print(f"  assignments: {3 * n:,} in {time.perf_counter() - t0:.1f} s", flush=True)
        cur.execute("ALTER TABLE proposals_proposal ENABLE TRIGGER proposals_proposal_stat")
        cur.execute("ALTER TABLE proposals_assignment ENABLE TRIGGER proposals_assignment_stat")
        t0 = time.perf_counter()
        rollup = import_module("proposals.migrations.0007_stats_rollup")
        rollup.create_triggers(None, SimpleNamespace(connection=connection))
        print(f"  rollups rebuilt in {time.perf_counter() - t0:.1f} s", flush=True)
    connection.close()


def vacuum(url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE proposals_proposal")
        cur.execute("VACUUM ANALYZE proposals_assignment")
    conn.close()
    print(f"  vacuum analyze: {time.perf_counter() - t0:.1f} s", flush=True)


def timed(label: str, fn, repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    print(
        f"{label:<42} best {min(samples) * 1000:8.1f} ms   median {statistics.median(samples) * 1000:8.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="received proposals (3 tasks each)")
    parser.add_argument("--years", type=int, default=1, help="spread the proposals over this many years")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the existing bench database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.rsplit("/", 1)[-1].endswith("_bench"):
        raise SystemExit("set DATABASE_URL to a database whose name ends in _bench")

    import django

    if not args.keep:
        recreate_database(url)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.keep:
        call_command("migrate", verbosity=0)
        print(f"generating {args.n:,} proposals over {args.years} year(s)…", flush=True)
        generate(args.n, args.years)
        vacuum(url)

    from proposals import assessment, stats
    from zhengxie.accounts.models import Department

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM proposals_proposal")
        proposals = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM proposals_assignment")
        tasks = cur.fetchone()[0]
    scope = stats.Scope(year=YEAR)
    dept = Department.objects.order_by("pk").first()
    figures = stats.proposal_stats(scope)
    print(
        f"database: {proposals:,} proposals, {tasks:,} assignments; year {YEAR}: received "
        f"{figures['received']:,}, tasks {sum(r['assigned'] for r in figures['by_department']):,}",
        flush=True,
    )
    timed("GET /stats/proposals/ (staff, year)", lambda: stats.proposal_stats(scope), args.repeat)
    timed(
        "GET /stats/proposals/ (department, year)",
        lambda: stats.department_stats(scope, dept.pk),
        args.repeat,
    )
    timed(
        "summary paragraph (year)",
        lambda: stats.summary_text(scope, stats.proposal_stats(scope)),
        args.repeat,
    )
    timed("whole dashboard (year)", lambda: stats.dashboard(scope), args.repeat)
    timed("考核 (year)", lambda: assessment.department_assessment(YEAR), args.repeat)
    # What the triggers cost a write: single-row updates that move a proposal / a task between
    # combinations, each in its own transaction (autocommit), as a service's save would.
    rng = random.Random(1)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM proposals_proposal")
        lo, hi = cur.fetchone()
        cur.execute("SELECT min(id), max(id) FROM proposals_assignment")
        alo, ahi = cur.fetchone()
        for label, sql, bounds in (
            (
                "proposal update, dims unchanged",
                "UPDATE proposals_proposal SET title = title WHERE id = %s",
                (lo, hi),
            ),
            (
                "proposal update, moves combination",
                "UPDATE proposals_proposal SET stat_contacted = NOT stat_contacted WHERE id = %s",
                (lo, hi),
            ),
            (
                "assignment update, moves combination",
                "UPDATE proposals_assignment SET stat_contacted = NOT stat_contacted WHERE id = %s",
                (alo, ahi),
            ),
        ):
            ids = [rng.randint(*bounds) for _ in range(1000)]
            t0 = time.perf_counter()
            for pk in ids:
                cur.execute(sql, [pk])
            print(
                f"write: {label:<38} {(time.perf_counter() - t0) * 1000 / len(ids):6.2f} ms per row",
                flush=True,
            )
    figures = stats.proposal_stats(scope)
    # The rollups must agree with a direct scan (the slow way: this is what the triggers save).
    t0 = time.perf_counter()
    scanned = stats.received_proposals(scope).count()
    tasks_scanned = stats.scoped_assignments(scope).count()
    print(
        f"check: direct scan received {scanned:,} / tasks {tasks_scanned:,} "
        f"({time.perf_counter() - t0:.2f} s just to count them) — rollups "
        f"{'agree' if (scanned, tasks_scanned) == (figures['received'], sum(r['assigned'] for r in figures['by_department'])) else 'DISAGREE'}",
        flush=True,
    )
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM proposals_proposalstatcount")
        p_rows = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM proposals_assignmentstatcount")
        a_rows = cur.fetchone()[0]
    print(f"rollup rows: {p_rows:,} proposal combinations, {a_rows:,} assignment combinations")


if __name__ == "__main__":
    main()
