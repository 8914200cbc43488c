"""Roster filters must not reveal what the reader may not see (issue 12, Leaks): filtering on a private
field (status, term, committee) tells the filterer its value, so only staff may use those filters."""

from datetime import date

import pytest

from members.models import Member, SpecialCommittee, Term
from members.selectors import PRIVATE_FILTER_MESSAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(member, other_member, term):
    committee = SpecialCommittee.objects.create(name="提案委员会")
    member.committees.add(committee)
    member.term = term
    member.save(update_fields=["term"])
    other_member.status = Member.Status.RESIGNED
    other_member.save(update_fields=["status"])
    return {"committee": committee.pk, "status": "resigned", "term": term.pk}


@pytest.mark.parametrize("who", ["member_user", "leader_user", "department_user"])
@pytest.mark.parametrize("name", ["committee", "status", "term"])
def test_private_filters_are_refused_to_those_who_do_not_see_the_field(request, api, roster, who, name):
    user = request.getfixturevalue(who)
    response = api(user).get("/api/v1/members/", {name: roster[name]})
    assert response.status_code == 400
    assert PRIVATE_FILTER_MESSAGE in str(response.json())


@pytest.mark.parametrize("name", ["committee", "status", "term"])
def test_a_refused_filter_cannot_be_told_apart_by_its_value(api, member_user, roster, name):
    # a matching and a non-matching value answer the same, so nothing can be inferred
    client = api(member_user)
    other = {
        "committee": 999999,
        "status": "serving",
        "term": Term.objects.create(number=99, start_date=date(2017, 1, 1)).pk,
    }[name]
    a = client.get("/api/v1/members/", {name: roster[name]})
    b = client.get("/api/v1/members/", {name: other})
    assert a.status_code == b.status_code == 400 and a.json() == b.json()


def test_staff_still_filter_on_every_field(api, staff_user, roster, member, other_member):
    client = api(staff_user)

    def names(**params):
        return {m["name"] for m in client.get("/api/v1/members/", params).json()["results"]}

    assert names(committee=roster["committee"]) == {member.name}
    assert names(status="resigned") == {other_member.name}
    assert names(term=roster["term"]) == {member.name}


@pytest.mark.parametrize("who", ["member_user", "leader_user", "department_user"])
def test_public_filters_stay_open(request, api, roster, who, member, other_member):
    user = request.getfixturevalue(who)
    response = api(user).get("/api/v1/members/", {"party": member.party_id, "q": "委员"})
    assert response.status_code == 200
    assert [m["name"] for m in response.json()["results"]] == [member.name]
    response = api(user).get("/api/v1/members/", {"sector": member.sector_id})
    assert {m["name"] for m in response.json()["results"]} == {member.name, other_member.name}
