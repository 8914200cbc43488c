"""Benchmark the yearly duty ranking (委员履职积分排名) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengxie_bench \\
        .venv/bin/python benchmarks/duty_ranking.py --members 5000 --records 200

Generates MEMBERS serving members with RECORDS duty records each in the benchmarked year (a realistic mix
of kinds, details, joint-proposal shares, contact people counts, some pending or declined self-reports)
plus --history records each in the previous year, in a fresh database, then times the ranking exactly as
the ranking page and GET /scores/ compute it (members.scoring.scheme_for + year_scores, which read the
yearly scores kept in MemberYearScore, then the breakdown of one page of 50), several runs, and prints
the plan of the ranking query with --explain. It also times rebuilding a year's scores from its records
(what a rule change costs). The target was under 1 s for 5,000 × 200 on 2 cores when the ranking ran
over the records; it now reads one row per member. The database named by DATABASE_URL is dropped and
recreated: never point it at real data.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings_test")


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


# (kind, detail, weight): what a year of records looks like — mostly meetings, activities and contact.
MIX = [
    ("plenary_attendance", "present", 2),
    ("plenary_attendance", "leave", 1),
    ("standing_attendance", "present", 3),
    ("standing_attendance", "leave", 1),
    ("meeting_attendance", "", 30),
    ("meeting_attendance", "leave", 5),
    ("proposal_submitted", "", 6),
    ("proposal_registered", "", 5),
    ("proposal_key", "", 1),
    ("opinion_submitted", "", 8),
    ("opinion_adopted", "", 3),
    ("opinion_instructed", "", 1),
    ("speech", "oral", 3),
    ("speech", "written", 3),
    ("research", "", 10),
    ("inspection", "", 6),
    ("constituency_contact", "", 15),
    ("training", "", 8),
    ("public_service", "", 5),
    ("other", "", 1),
]


def generate(n_members: int, per_member: int, history: int, year: int) -> None:
    from members.models import DutyRecord, Member, Party, Sector

    rng = random.Random(42)
    kinds = [(k, d) for k, d, _ in MIX]
    weights = [w for _, _, w in MIX]
    sectors = Sector.objects.bulk_create([Sector(name=f"界别{i}") for i in range(34)])
    parties = list(Party.objects.all()) or Party.objects.bulk_create(
        [Party(name=f"党派{i}") for i in range(9)]
    )
    members = Member.objects.bulk_create(
        [
            Member(
                name=f"委员{i:05d}",
                sector=sectors[i % len(sectors)],
                party=parties[i % len(parties)] if i % 3 else None,
                # A few who left during the year still rank through their records.
                status=Member.Status.SERVING if i % 100 else Member.Status.RESIGNED,
            )
            for i in range(n_members)
        ],
        batch_size=5000,
    )
    days = (date(year, 12, 31) - date(year, 1, 1)).days
    statuses = [DutyRecord.Status.CONFIRMED] * 18 + [DutyRecord.Status.PENDING, DutyRecord.Status.DECLINED]
    total = n_members * (per_member + history)
    done = 0
    rows = []
    for m in members:
        for i in range(per_member + history):
            kind, detail = rng.choices(kinds, weights)[0]
            the_year = year if i < per_member else year - 1
            rows.append(
                DutyRecord(
                    member_id=m.pk,
                    date=date(the_year, 1, 1) + timedelta(days=rng.randint(0, days)),
                    kind=kind,
                    detail=detail,
                    # Joint proposals: the first proposer half, the others share the other half.
                    share=Decimal(rng.choice(["1", "1", "1", "0.5", "0.25"]))
                    if kind.startswith("proposal")
                    else Decimal(1),
                    people=rng.randint(5, 60) if kind == "constituency_contact" else None,
                    status=rng.choice(statuses),
                )
            )
        if len(rows) >= 50_000:
            DutyRecord.objects.bulk_create(rows, batch_size=10_000)
            done += len(rows)
            rows = []
            print(f"  generated {done:,} / {total:,}", flush=True)
    if rows:
        DutyRecord.objects.bulk_create(rows, batch_size=10_000)
        done += len(rows)
        print(f"  generated {done:,} / {total:,}", flush=True)


def rank_once(year: int):
    """What the ranking page and GET /scores/ do: the scheme, the whole year ranked, one page's breakdown."""
    from members import scoring

    t0 = time.perf_counter()
    scheme = scoring.scheme_for(year)
    rows = scoring.year_scores(year, scheme=scheme)
    t1 = time.perf_counter()
    scoring.with_breakdown(scheme, rows[:50])
    t2 = time.perf_counter()
    return rows, t1 - t0, t2 - t1


def explain(year: int) -> None:
    """EXPLAIN ANALYZE of the ranking query, captured from year_scores itself and run with its settings."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from members import scoring

    scheme = scoring.scheme_for(year)
    with CaptureQueriesContext(connection) as ctx:
        scoring.year_scores(year, scheme=scheme)
    sql = next(q["sql"] for q in ctx.captured_queries if re.search(r"RANK\(\) OVER", q["sql"]))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        print("\n".join(row[0] for row in cur.fetchall()))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=5000, help="members (default 5000)")
    parser.add_argument("--records", type=int, default=200, help="records per member in the year")
    parser.add_argument("--history", type=int, default=50, help="records per member in the year before")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (default 7)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the ranking")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of a previous run (only migrate and time)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhengxie_bench")
    os.environ["DATABASE_URL"] = url
    if not url.rsplit("/", 1)[1].endswith("_bench"):
        raise SystemExit("refusing to use a database whose name does not end in _bench")
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    year = timezone.localdate().year
    if args.reuse:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        build(args, year)
    run_timings(args, year)


def build(args, year: int) -> None:
    from django.db import connection

    print(
        f"generating {args.members:,} members × {args.records} records in {year} "
        f"(+{args.history} each in {year - 1}) …",
        flush=True,
    )
    t0 = time.perf_counter()
    generate(args.members, args.records, args.history, year)
    print(f"  done in {time.perf_counter() - t0:.0f} s")
    # The records were bulk-inserted around the services: compute the yearly scores as a rule change or
    # `manage.py rebuild_duty_scores` does (the cost of recomputing a whole year).
    from members import scoring

    for y in (year - 1, year):
        t0 = time.perf_counter()
        count = scoring.rebuild_year(y)
        print(
            f"  scores of {y} rebuilt from the records in {time.perf_counter() - t0:.2f} s ({count:,} members)"
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def run_timings(args, year: int) -> None:

    print(f"\nranking of {year}: {args.members:,} members, {args.members * args.records:,} records (2 cores)")
    totals = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        rows, ranking, page = rank_once(year)
        elapsed = time.perf_counter() - start
        totals.append(elapsed)
        print(
            f"run {run}: {elapsed:6.3f} s  (ranking {ranking:6.3f} s, breakdown of 50 {page:6.3f} s)  "
            f"rows={len(rows):,} top={rows[0].total} rank#{rows[-1].rank} last={rows[-1].total}",
            flush=True,
        )
    warm = totals[1:] or totals
    print(
        f"\nfirst {totals[0]:.3f} s; warm runs: median {statistics.median(warm):.3f} s, "
        f"min {min(warm):.3f} s, max {max(warm):.3f} s — target < 1 s: "
        f"{'OK' if statistics.median(warm) < 1 else 'TOO SLOW'} (on the median: other load on the machine shows "
        "as outliers)"
    )
    if args.explain:
        print()
        explain(year)


if __name__ == "__main__":
    main()
