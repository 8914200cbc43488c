"""Roster API: who sees which member fields, filters, terms with plenaries, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from members.models import Member, Party, Plenary, Sector, SpecialCommittee, Term
from members.permissions import can_view_member_private_fields
from zhengxie.accounts.models import Role

PUBLIC_KEYS = {"id", "name", "sector", "party"}
PRIVATE_KEYS = {"mobile", "email", "birth_date"}


def rows_by_name(response):
    assert response.status_code == 200, response.content
    return {row["name"]: row for row in response.json()["results"]}


@pytest.fixture
def roster(member, other_member):
    member.birth_date = datetime.date(1970, 5, 1)
    member.save()
    other_member.birth_date = datetime.date(1968, 3, 2)
    other_member.save()
    return member, other_member


@pytest.mark.django_db
class TestFieldVisibility:
    def test_staff_sees_every_field_of_every_member(self, api, staff_user, roster):
        rows = rows_by_name(api(staff_user).get("/api/v1/members/"))
        assert rows["赵委员"]["mobile"] == "13900000002"
        assert rows["赵委员"]["email"] == "zhao@example.com"
        assert rows["赵委员"]["birth_date"] == "1968-03-02"
        assert rows["李委员"]["mobile"] == "13900000001"

    def test_superuser_counts_as_staff(self, api, roster):
        admin = make_user("root", Role.MEMBER, is_superuser=True)
        rows = rows_by_name(api(admin).get("/api/v1/members/"))
        assert rows["赵委员"]["mobile"] == "13900000002"

    def test_member_cannot_read_another_members_private_fields(self, api, roster):
        member, other = roster
        rows = rows_by_name(api(member.user).get("/api/v1/members/"))
        assert set(rows["赵委员"]) == PUBLIC_KEYS
        detail = api(member.user).get(f"/api/v1/members/{other.pk}/")
        assert detail.status_code == 200
        assert set(detail.json()) == PUBLIC_KEYS
        assert "13900000002" not in detail.content.decode()

    def test_member_sees_their_own_private_fields(self, api, roster):
        member, _ = roster
        rows = rows_by_name(api(member.user).get("/api/v1/members/"))
        assert rows["李委员"]["mobile"] == "13900000001"
        detail = api(member.user).get(f"/api/v1/members/{member.pk}/").json()
        assert detail["mobile"] == "13900000001"
        assert detail["email"] == "li@example.com"
        assert detail["birth_date"] == "1970-05-01"

    @pytest.mark.parametrize("who", ["leader_user", "department_user"])
    def test_leader_and_department_see_only_the_roster_entry(self, request, api, who, roster):
        user = request.getfixturevalue(who)
        response = api(user).get("/api/v1/members/")
        rows = rows_by_name(response)
        assert len(rows) == 2
        for row in rows.values():
            assert set(row) == PUBLIC_KEYS
        assert "139000000" not in response.content.decode()
        assert "example.com" not in response.content.decode()
        detail = api(user).get(f"/api/v1/members/{roster[0].pk}/").json()
        assert not PRIVATE_KEYS & set(detail)

    def test_public_entry_shape(self, api, leader_user, member):
        row = api(leader_user).get(f"/api/v1/members/{member.pk}/").json()
        assert row == {
            "id": member.pk,
            "name": "李委员",
            "sector": {"id": member.sector_id, "name": "教育界"},
            "party": {"id": member.party_id, "name": "中国民主同盟"},
        }

    def test_the_rule_in_one_place(self, staff_user, leader_user, department_user, member, other_member):
        assert can_view_member_private_fields(staff_user, other_member)
        assert can_view_member_private_fields(member.user, member)
        assert not can_view_member_private_fields(member.user, other_member)
        assert not can_view_member_private_fields(leader_user, member)
        assert not can_view_member_private_fields(department_user, member)
        inactive = make_user("gone", Role.STAFF, is_active=False)
        assert not can_view_member_private_fields(inactive, member)

    def test_a_member_without_account_is_not_anybodys_own(self, api, member):
        orphan = Member.objects.create(name="无账号委员", mobile="13700000000")
        detail = api(member.user).get(f"/api/v1/members/{orphan.pk}/").json()
        assert set(detail) == PUBLIC_KEYS


@pytest.mark.django_db
class TestMemberList:
    def test_unknown_member_is_404(self, api, member_user):
        response = api(member_user).get("/api/v1/members/999999/")
        assert response.status_code == 404
        assert response.json()["detail"] == "对象不存在。"

    def test_anonymous_is_401(self, client, member):
        assert client.get(f"/api/v1/members/{member.pk}/").status_code == 401

    def test_read_only(self, api, staff_user, member):
        assert api(staff_user).post("/api/v1/members/", {"name": "新委员"}).status_code == 405
        assert api(staff_user).patch(f"/api/v1/members/{member.pk}/", {"name": "改"}).status_code == 405
        member.refresh_from_db()
        assert member.name == "李委员"

    def test_filters(self, api, staff_user, member, other_member):
        science = Sector.objects.create(name="科技界")
        third = Member.objects.create(
            name="王委员",
            sector=science,
            party=Party.objects.get(name="九三学社"),
            status=Member.Status.RESIGNED,
        )
        client = api(staff_user)

        def names(**params):
            return set(rows_by_name(client.get("/api/v1/members/", params)))

        assert names(sector=science.pk) == {"王委员"}
        assert names(party=other_member.party_id) == {"赵委员", "王委员"}
        assert names(status="resigned") == {"王委员"}
        assert names(status="serving") == {"李委员", "赵委员"}
        assert names(q="赵") == {"赵委员"}
        assert names(party=third.party_id, status="serving") == {"赵委员"}

    def test_bad_filter_value_is_400(self, api, staff_user, member):
        response = api(staff_user).get("/api/v1/members/", {"status": "nonsense"})
        assert response.status_code == 400
        assert "status" in response.json()

    def test_committees_are_listed_for_staff(self, api, staff_user, member):
        committee = SpecialCommittee.objects.create(name="提案委员会")
        member.committees.add(committee)
        row = api(staff_user).get(f"/api/v1/members/{member.pk}/").json()
        assert row["committees"] == [{"id": committee.pk, "name": "提案委员会"}]

    @pytest.mark.parametrize("who", ["staff_user", "member_user"])
    def test_query_count_does_not_grow_with_rows(self, request, api, who, sector):
        client = api(request.getfixturevalue(who))
        party = Party.objects.get(name="中国民主同盟")
        committees = [SpecialCommittee.objects.create(name=f"专委会{i}") for i in range(2)]
        term = Term.objects.create(number=15, start_date=datetime.date(2022, 1, 1), is_current=True)

        def add(n, start):
            for i in range(start, start + n):
                # With a login: staff rows show its username (read per row at a province: 20 queries).
                login = make_user(f"roster{i:03}", Role.MEMBER)
                m = Member.objects.create(
                    name=f"委员{i:03}", sector=sector, party=party, term=term, user=login
                )
                m.committees.set(committees)

        add(3, 0)
        with CaptureQueriesContext(connection) as few:
            assert client.get("/api/v1/members/", {"page_size": 100}).status_code == 200
        add(27, 3)
        with CaptureQueriesContext(connection) as many:
            response = client.get("/api/v1/members/", {"page_size": 100})
        rows = rows_by_name(response)
        assert len(rows) >= 30
        if who == "staff_user":
            assert rows["委员029"]["username"] == "roster029"
        assert len(many) == len(few)


@pytest.mark.django_db
class TestReferenceData:
    def test_terms_with_their_plenaries(self, api, member_user):
        old = Term.objects.create(number=14, start_date=datetime.date(2017, 1, 1))
        term = Term.objects.create(number=15, start_date=datetime.date(2022, 1, 1), is_current=True)
        Plenary.objects.create(term=term, number=2, start_date="2023-01-10", end_date="2023-01-13")
        Plenary.objects.create(term=term, number=1, start_date="2022-01-10", end_date="2022-01-13")
        Plenary.objects.create(term=old, number=5, start_date="2021-01-10", end_date="2021-01-13")

        body = api(member_user).get("/api/v1/terms/").json()
        assert body["count"] == 2
        current = body["results"][0]
        assert current["name"] == "第十五届"
        assert current["is_current"] is True
        assert [p["name"] for p in current["plenaries"]] == ["第一次会议", "第二次会议"]
        assert current["plenaries"][1] == {
            "id": current["plenaries"][1]["id"],
            "number": 2,
            "name": "第二次会议",
            "start_date": "2023-01-10",
            "end_date": "2023-01-13",
        }
        assert [p["name"] for p in body["results"][1]["plenaries"]] == ["第五次会议"]

        detail = api(member_user).get(f"/api/v1/terms/{term.pk}/").json()
        assert len(detail["plenaries"]) == 2

    def test_terms_query_count_does_not_grow(self, api, member_user):
        client = api(member_user)

        def add(numbers):
            for n in numbers:
                term = Term.objects.create(number=n, start_date=datetime.date(1950 + n, 1, 1))
                for k in range(1, 4):
                    Plenary.objects.create(
                        term=term, number=k, start_date="2000-01-01", end_date="2000-01-02"
                    )

        add([1, 2])
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/terms/")
        add(range(3, 21))
        with CaptureQueriesContext(connection) as many:
            assert client.get("/api/v1/terms/").json()["count"] == 20
        assert len(many) == len(few)

    def test_sectors_and_parties(self, api, department_user, sector):
        sectors = api(department_user).get("/api/v1/sectors/").json()
        assert [s["name"] for s in sectors["results"]] == ["教育界"]
        parties = api(department_user).get("/api/v1/parties/").json()
        names = [p["name"] for p in parties["results"]]
        assert "中国民主同盟" in names and "九三学社" in names
        party = Party.objects.get(name="九三学社")
        assert api(department_user).get(f"/api/v1/parties/{party.pk}/").json()["name"] == "九三学社"

    def test_sector_and_party_query_counts_do_not_grow(self, api, member_user):
        client = api(member_user)
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/sectors/")
            client.get("/api/v1/parties/")
        Sector.objects.bulk_create(Sector(name=f"界别{i}") for i in range(20))
        Party.objects.bulk_create(Party(name=f"党派{i}") for i in range(20))
        with CaptureQueriesContext(connection) as many:
            client.get("/api/v1/sectors/")
            client.get("/api/v1/parties/")
        # + each list's count once it has a second page, and the database snapshot it is remembered under
        assert len(many) <= len(few) + 4
