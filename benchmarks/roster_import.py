"""Benchmark the roster import (issue 15: 10,000 members ≤ 30 s) on PostgreSQL.

    .venv/bin/python benchmarks/roster_import.py --n 10000

Writes an N-row .xlsx roster (the columns API.md names; a few parties, sectors and committees), then into a
fresh database `zhengxie_import_bench` (dropped and recreated; another server: DATABASE_URL=postgres://…/
anything_bench) times `manage.py import_members` three times: every member new, the same file again
(nothing to write), and the file with one member in ten changed. Prints the seconds, the CPU seconds of
this process and the number of queries of each.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings_test")

PARTIES = ["中国民主同盟", "中国国民党革命委员会", "中国民主建国会", "九三学社", "中国共产党", "无党派人士"]
SECTORS = ["教育界", "经济界", "医药卫生界", "科学技术界", "文化艺术界", "农业界", "社会福利和社会保障界"]
COMMITTEES = ["提案委员会", "经济委员会", "文史委员会", "社会和法制委员会", "教科卫体委员会"]


def roster(n: int, *, changed_every: int = 0) -> bytes:
    from tests.fixtures.rosters import member_row, xlsx_bytes

    rows = []
    for i in range(1, n + 1):
        row = member_row(
            i,
            姓名=f"委员{i:05d}",
            用户名=f"wy{i:05d}",
            手机=f"139{i:08d}",
            党派=PARTIES[i % len(PARTIES)],
            界别=SECTORS[i % len(SECTORS)],
            专委会="、".join(COMMITTEES[j % len(COMMITTEES)] for j in (i, i + 2)),
        )
        if changed_every and i % changed_every == 0:
            row["工作单位及职务"] = f"市第{i}中学 副校长"
        rows.append(row)
    return xlsx_bytes(rows)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="members in the roster (default 10000)")
    args = parser.parse_args()

    from benchmarks.reminder_scan import recreate_database

    url = os.environ.get("DATABASE_URL", "")
    server = url.rsplit("/", 1)[0] if url.startswith("postgres") else "postgres://postgres@127.0.0.1:5432"
    url = os.environ["DATABASE_URL"] = f"{server}/zhengxie_import_bench"
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.models import Member

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp, "roster.xlsx")
        first.write_bytes(roster(args.n))
        changed = Path(tmp, "roster-changed.xlsx")
        changed.write_bytes(roster(args.n, changed_every=10))
        print(f"roster import of {args.n:,} members (.xlsx {first.stat().st_size // 1024} KB)", flush=True)
        for label, path in (("all new", first), ("same file again", first), ("one in ten changed", changed)):
            t0, cpu0 = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                call_command(
                    "import_members",
                    str(path),
                    credentials_out=str(Path(tmp, "creds.csv")),
                    stdout=io.StringIO(),
                )
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(
                f"  {label:<20} {elapsed:6.1f} s (python cpu {cpu:5.1f} s)  queries={len(queries):,}  "
                f"members={Member.objects.count():,}",
                flush=True,
            )


if __name__ == "__main__":
    main()
