import pytest

from members.demo import seed_roster
from sqyy.demo import seed_sqyy_demo
from sqyy.models import Bulletin, OpinionReport, Transfer

pytestmark = pytest.mark.django_db


def test_demo_seeds_every_stage_once():
    seed_roster()
    assert seed_sqyy_demo() == 5
    assert seed_sqyy_demo() == 0  # idempotent
    states = set(OpinionReport.objects.values_list("state", flat=True))
    assert {"transferred", "submitted", "returned", "not_adopted", "adopted"} <= states
    assert Bulletin.objects.count() == 2 and Transfer.objects.get().state == "accepted"
