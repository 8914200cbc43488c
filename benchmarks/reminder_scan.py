"""Benchmark the morning deadline scan on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengxie_bench \\
        .venv/bin/python benchmarks/reminder_scan.py --n 100000 --closed 200000

Generates N open assignments (due dates spread from 30 days overdue to 120 days ahead) and CLOSED
finished ones in a fresh database, then times: the first scan of a day (inserting and delivering every
reminder due, as after a long outage), a second scan the same day (should do almost nothing), and the
first scan of the next day. The database named by DATABASE_URL is dropped and recreated: never point it
at real data. With --reuse an existing benchmark database of the same size is kept (only the reminders
and notices of earlier runs are emptied), so a 1M run need not generate its data twice.

Goals (issue 15): at 1M open tasks the cold scan ≤ 60 s and a same-day rerun ≤ 5 s.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings_test")


def database_exists(url: str) -> bool:
    import psycopg2

    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cur.fetchone() is not None
    conn.close()
    return found


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


def generate(n_open: int, n_closed: int, today) -> None:
    from django.utils import timezone

    from members.models import Member, Plenary, Sector, Term
    from proposals.models import Assignment, Proposal, ProposalCategory
    from zhengxie.accounts.models import Department, Role, User

    rng = random.Random(42)
    term = Term.objects.create(number=15, start_date=today - timedelta(days=1500), is_current=True)
    plenary = Plenary.objects.create(
        term=term, number=5, start_date=today - timedelta(days=300), end_date=today
    )
    sector = Sector.objects.create(name="经济界")
    staff = User.objects.create(username="bench_staff", role=Role.STAFF)
    departments = Department.objects.bulk_create(
        [Department(name=f"单位{i}", code=f"D{i:03d}") for i in range(60)]
    )
    User.objects.bulk_create(
        [User(username=f"clerk{d.pk}", role=Role.DEPARTMENT, department=d) for d in departments]
    )
    proposer_user = User.objects.create(username="bench_member", role=Role.MEMBER)
    proposer = Member.objects.create(user=proposer_user, name="委员", sector=sector)
    category = ProposalCategory.objects.first()
    now = timezone.now()
    total = n_open + n_closed
    batch = 20000
    for start in range(0, total, batch):
        size = min(batch, total - start)
        proposals = Proposal.objects.bulk_create(
            [
                Proposal(
                    title=f"提案{start + i}",
                    content="……",
                    category=category,
                    proposer=proposer,
                    created_by=proposer_user,
                    term=term,
                    plenary=plenary,
                    state=Proposal.State.IN_PROGRESS if start + i < n_open else Proposal.State.CLOSED,
                    serial=start + i + 1,
                    number=f"十五届五次会议第{start + i + 1:06d}号",
                )
                for i in range(size)
            ]
        )
        rows = []
        for i, p in enumerate(proposals):
            is_open = start + i < n_open
            due = today + timedelta(days=rng.randint(-30, 120))
            rows.append(
                Assignment(
                    proposal=p,
                    department=departments[rng.randrange(len(departments))],
                    role=Assignment.Role.LEAD,
                    state=Assignment.State.ACCEPTED if is_open else Assignment.State.REPLIED,
                    assigned_at=now - timedelta(days=rng.randint(10, 200)),
                    assigned_by=staff,
                    due_basis=due - timedelta(days=90),
                    due_span="3m",
                    due_date=due,
                )
            )
        Assignment.objects.bulk_create(rows)
        print(f"  generated {start + size:,} / {total:,}", flush=True)


def timed(label: str, today, verbose: bool = False):
    """The scan as the beat task runs it: decide and insert (the scan proper), then deliver."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengxie.notifications.services import reminders_deliver, reminders_scan

    t0, cpu0 = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = reminders_scan(today=today, time_budget=0)  # insert only; delivery timed apart
        t1 = time.perf_counter()
        delivered = reminders_deliver(today=today)
    t2, cpu = time.perf_counter(), time.process_time() - cpu0
    elapsed = t2 - t0
    print(
        f"{label:<34} {elapsed:7.2f} s = scan {t1 - t0:6.2f} s + delivery {t2 - t1:6.2f} s "
        f"(python cpu {cpu:5.2f} s)   created={result.created:,} sent={delivered.sent:,} "
        f"skipped={delivered.skipped:,} queries={len(queries):,}",
        flush=True,
    )
    if verbose:
        spent: dict[str, list] = {}
        for q in queries.captured_queries:
            key = " ".join(q["sql"].split())[:70]
            entry = spent.setdefault(key, [0, 0.0])
            entry[0] += 1
            entry[1] += float(q["time"])
        for key, (n, total) in sorted(spent.items(), key=lambda kv: -kv[1][1])[:6]:
            print(f"    {total:6.2f} s in {n:4d} × {key}")
    return elapsed


def empty_earlier_runs() -> None:
    from django.db import connection

    from zhengxie.notifications.models import ChannelDelivery, Notification, Reminder, UnreadCounter

    tables = [m._meta.db_table for m in (ChannelDelivery, Notification, Reminder, UnreadCounter)]
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(tables))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="open assignments (default 100000)")
    parser.add_argument("--closed", type=int, default=100_000, help="finished assignments (history)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first scan")
    parser.add_argument("--sql", action="store_true", help="print the statements that took longest")
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing benchmark database of the same size"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="make (or keep, with --reuse) the data and stop"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zhengxie_bench")
    os.environ["DATABASE_URL"] = url
    if not url.rsplit("/", 1)[1].endswith("_bench"):
        raise SystemExit("refusing to use a database whose name does not end in _bench")
    reuse = args.reuse and database_exists(url)
    if not reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from proposals.models import Assignment

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if reuse and Assignment.objects.count() == args.n + args.closed:
        print(f"reusing the {args.n:,} open and {args.closed:,} closed assignments", flush=True)
        # the due dates were spread around the day they were generated: shift them to today
        from zhengxie.accounts.models import User

        made = User.objects.filter(username="bench_staff").values_list("date_joined", flat=True).first()
        shift = (today - timezone.localtime(made).date()).days if made else 0
        empty_earlier_runs()
        if shift:
            from django.db.models import F

            Assignment.objects.update(due_date=F("due_date") + timedelta(days=shift))
            User.objects.filter(username="bench_staff").update(date_joined=timezone.now())
    else:
        if reuse:
            recreate_database(url)
            call_command("migrate", verbosity=0)
        print(f"generating {args.n:,} open and {args.closed:,} closed assignments …", flush=True)
        generate(args.n, args.closed, today)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    if args.generate_only:
        return
    print(f"\nscan on {today} with {args.n:,} open tasks (2 cores):")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        timed("first scan (everything due, cold)", today)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        timed("first scan (everything due, cold)", today, args.sql)
    timed("second scan, same day", today, args.sql)
    timed("next day", today + timedelta(days=1), args.sql)


if __name__ == "__main__":
    main()
