"""Bulletin numbering under concurrency: real threads, each with its own PostgreSQL connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from sqyy import services
from sqyy.models import Bulletin, BulletinSequence

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_concurrent_issues_of_a_new_year_are_numbered_without_gaps(staff_user):
    # No sequence row exists yet for 2030: the threads also race to create it.
    outcomes = _run_together(
        [lambda: services.bulletin_create(actor=staff_user, year=2030) for _ in range(20)]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    numbers = sorted(Bulletin.objects.filter(year=2030).values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert BulletinSequence.objects.get(year=2030).last_number == 20


def test_rolled_back_issue_leaves_no_gap(staff_user):
    services.bulletin_create(actor=staff_user, year=2031)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert services.bulletin_create(actor=staff_user, year=2031).number == 2
        raise RuntimeError("the editor's transaction fails after numbering")
    assert services.bulletin_create(actor=staff_user, year=2031).number == 2
