"""zhengxie.lookups.AnyOf: `IN (…)` as one array parameter, with IN's answers."""

import pytest
from django.db.models import Q

from zhengxie.accounts.models import Department
from zhengxie.lookups import AnyOf

pytestmark = pytest.mark.django_db


@pytest.fixture
def departments():
    return Department.objects.bulk_create(Department(name=f"单位{i}", code=f"T{i}") for i in range(6))


def test_it_matches_what_in_matches(departments):
    wanted = [departments[1].pk, departments[4].pk, 10**12]  # an id that is no row's
    by_any = set(Department.objects.filter(AnyOf("pk", wanted)))
    assert by_any == set(Department.objects.filter(pk__in=wanted)) == {departments[1], departments[4]}
    assert not Department.objects.filter(AnyOf("pk", [])).exists()
    either = Department.objects.filter(Q(name="单位0") | Q(AnyOf("pk", [departments[5].pk])))
    assert set(either) == {departments[0], departments[5]}
    assert set(Department.objects.exclude(AnyOf("pk", wanted))) == set(departments) - by_any


def test_a_long_list_is_one_parameter(departments):
    ids = list(range(1, 5001))
    sql, params = Department.objects.filter(AnyOf("pk", ids)).query.sql_with_params()
    assert len(params) == 1 and params[0] == ids and "ANY" in sql
    assert (
        Department.objects.filter(AnyOf("pk", ids)).count() == Department.objects.filter(pk__in=ids).count()
    )


def test_ids_must_be_integers():
    with pytest.raises((TypeError, ValueError)):
        AnyOf("pk", ["1; DROP TABLE x"])
