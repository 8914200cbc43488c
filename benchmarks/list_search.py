"""Benchmark the `q` of the proposal and 社情民意 lists (issue 19) on an existing data set, e.g. the one
benchmarks/province.py generates:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhengxie_province_s005 \\
        .venv/bin/python benchmarks/list_search.py [--repeat 5] [--explain]

For each query (a common word, a rarer one, a several-word phrase, a paraphrase, a number, a reply word)
it times what the staff list page does — the count and the first page of 50 ordered by relevance — through
the same selectors, and the old `icontains` filter for comparison; --explain prints the plans (the GIN
indexes should be there). Read-only: nothing is written.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")

QUERIES = [
    ("common word", "教育"),
    ("two words", "停车 泊位"),
    ("phrase", "老旧小区加装电梯"),
    ("paraphrase title", "既有住宅增设电梯要简化审批"),
    ("long phrase", "农村生活污水治理和黑臭水体整治"),
    ("number", "第0031号"),
    ("nothing matches", "量子计算机芯片"),
]
PAGE = 50


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-old", action="store_true", help="skip the old icontains timings (slow)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from proposals.models import Proposal
    from sqyy import selectors as sqyy_selectors
    from sqyy.models import OpinionReport

    total = Proposal.objects.count()
    print(
        f"{connection.settings_dict['NAME']}: {total:,} proposals, {OpinionReport.objects.count():,} 社情民意"
    )
    reply_word = (
        Proposal.objects.exclude(search_replies="")
        .values_list("search_replies", flat=True)
        .order_by("-id")
        .first()
        or ""
    ).split()
    queries = list(QUERIES)
    if reply_word:
        queries.append(("reply word", reply_word[len(reply_word) // 2]))
    print(f"{'query':<18} {'q':<20} {'matches':>8} {'count ms':>9} {'page ms':>8} {'old ms':>8}")
    for label, q in queries:
        measure(label, q, args)
    for q in ("噪音扰民", "养老服务"):
        qs = sqyy_selectors.reports_filter(OpinionReport.objects.all(), params={"q": q})
        count_ms, count = timed(lambda qs=qs: qs.count(), args.repeat)
        print(f"{'社情民意':<18} {q:<20} {count:>8,} {count_ms:>9.1f}")


def measure(label, q, args):
    from django.db.models import Q

    from proposals import search
    from proposals.models import Proposal

    def listed():
        return search.text_search(Proposal.objects.all(), q, all_replies=True)

    def first_page():
        return search.ordered(listed(), {"q": q}, "-submitted_at", "-id").only("pk", "title")[:PAGE]

    count_ms, count = timed(lambda: listed().count(), args.repeat)
    page_ms, _ = timed(lambda: list(first_page()), args.repeat)
    old_ms = float("nan")
    if not args.no_old:
        old = Q(title__icontains=q) | Q(content__icontains=q) | Q(number__icontains=q)
        old_ms, _ = timed(lambda: Proposal.objects.filter(old).count(), 1)
    print(f"{label:<18} {q:<20} {count:>8,} {count_ms:>9.1f} {page_ms:>8.1f} {old_ms:>8.1f}")
    if args.explain:
        print(first_page().explain(analyze=True))


if __name__ == "__main__":
    main()
