"""Numbering under concurrency: real threads, each with its own PostgreSQL connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from proposals import services
from proposals.models import Proposal, ProposalCategory
from zhengxie.workflow.errors import TransitionNotAllowed

pytestmark = pytest.mark.django_db(transaction=True)


def _submitted(member, plenary, n):
    category = ProposalCategory.objects.get(name="社会")
    result = []
    for i in range(n):
        p = services.proposal_create(
            actor=member.user,
            title=f"并发提案{i}",
            content="建议",
            category=category,
            during_plenary=True,
            plenary=plenary,
        )
        result.append(services.proposal_submit(actor=member.user, proposal=p).pk)
    return result


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


def test_fifty_concurrent_registrations_get_distinct_gap_free_numbers(member, staff_user, plenary):
    ids = _submitted(member, plenary, 50)
    outcomes = _run_together(
        [lambda pk=pk: services.proposal_register(actor=staff_user, proposal=pk) for pk in ids]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    serials = sorted(Proposal.objects.filter(pk__in=ids).values_list("serial", flat=True))
    assert serials == list(range(1, 51))
    numbers = set(Proposal.objects.filter(pk__in=ids).values_list("number", flat=True))
    assert len(numbers) == 50 and "十五届二次会议第0050号" in numbers


def test_two_staff_registering_the_same_proposal_one_wins(member, staff_user, plenary):
    (pk,) = _submitted(member, plenary, 1)
    outcomes = _run_together([lambda: services.proposal_register(actor=staff_user, proposal=pk)] * 2)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], TransitionNotAllowed)
    p = Proposal.objects.get(pk=pk)
    assert p.serial == 1 and p.number.endswith("第0001号")
