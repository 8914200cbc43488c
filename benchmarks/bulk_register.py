"""Benchmark bulk 立案 (issue 14): POST /proposals/bulk-register/ with --n ids, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengxie_bench \\
        .venv/bin/python benchmarks/bulk_register.py --n 200

Creates --n submitted proposals (a third individual, a third joint with two confirmed co-signers, a third
collective; proposers with e-mail and phone so every notice gets its e-mail and SMS rows), then times
the staff's POST /api/v1/proposals/bulk-register/ through the test client (token auth, the whole view)
and counts its SQL statements. With --compare it also times registering another --n one by one through
proposal_register, as the endpoint used to.

The database named by DATABASE_URL is dropped and recreated: never point it at real data.
"""

import argparse
import os
import sys
import time
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


def make_submitted(n: int, tag: str) -> list[int]:
    from datetime import date

    from django.utils import timezone

    from members.models import Member, Plenary, Sector, Term
    from proposals.models import Cosigner, Proposal, ProposalCategory
    from zhengxie.accounts.models import Role, User

    term = Term.objects.get_or_create(
        number=15, defaults={"start_date": date(2022, 1, 10), "is_current": True}
    )[0]
    plenary = Plenary.objects.get_or_create(
        term=term, number=2, defaults={"start_date": date(2026, 1, 12), "end_date": date(2026, 1, 15)}
    )[0]
    sector = Sector.objects.get_or_create(name="经济界")[0]
    staff = User.objects.get_or_create(username="bench_staff", defaults={"role": Role.STAFF})[0]
    members = []
    for i in range(3):
        user = User.objects.create(
            username=f"bench_{tag}_{i}", role=Role.MEMBER, email=f"m{tag}{i}@example.com", phone="13900000000"
        )
        members.append(Member.objects.create(user=user, name=f"委员{tag}{i}", sector=sector))
    category = ProposalCategory.objects.first()
    now = timezone.now()
    proposals = []
    for i in range(n):
        kind = ("individual", "joint", "collective")[i % 3]
        proposals.append(
            Proposal(
                title=f"提案{tag}{i}",
                content="建议",
                category=category,
                kind=kind,
                organization="民盟市委" if kind == "collective" else "",
                proposer=None if kind == "collective" else members[0],
                created_by=staff if kind == "collective" else members[0].user,
                term=term,
                during_plenary=True,
                plenary=plenary,
                state=Proposal.State.SUBMITTED,
                submitted_at=now,
            )
        )
    Proposal.objects.bulk_create(proposals)
    Cosigner.objects.bulk_create(
        Cosigner(proposal=p, member=m, status=Cosigner.Status.CONFIRMED, order=k, answered_at=now)
        for p in proposals
        if p.kind == "joint"
        for k, m in enumerate(members[1:])
    )
    return [p.pk for p in proposals]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--compare", action="store_true", help="also time registering one by one")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.rsplit("/", 1)[-1].endswith("_bench"):
        raise SystemExit("set DATABASE_URL to a database whose name ends in _bench")

    import django

    recreate_database(url)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from proposals import services
    from zhengxie.accounts.models import User

    call_command("migrate", verbosity=0)
    ids = make_submitted(args.n, "a")
    staff = User.objects.get(username="bench_staff")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=staff)[0].key}")
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.post("/api/v1/proposals/bulk-register/", {"ids": ids}, format="json")
        elapsed = time.perf_counter() - started
    body = response.json()
    print(
        f"bulk-register {args.n} ids: HTTP {response.status_code}, {len(body['registered'])} registered, "
        f"{len(body['failed'])} failed, {elapsed:.2f} s, {len(ctx.captured_queries)} SQL statements"
    )
    slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        print(f"  {float(q['time']):.3f} s  {q['sql'][:90]}")
    if args.compare:
        ids = make_submitted(args.n, "b")
        started = time.perf_counter()
        for pk in ids:
            services.proposal_register(actor=staff, proposal=pk)
        print(f"one by one {args.n}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
