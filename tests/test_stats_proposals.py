"""/api/v1/stats/proposals/ and its summary: every figure on a hand-built data set whose answers are known,
the filters, rounding, the roles, and a constant query count."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Plenary, Term
from proposals import stats
from proposals.models import Assignment, Proposal, ProposalCategory

pytestmark = pytest.mark.django_db
State, Kind = Proposal.State, Proposal.Kind
TZ = ZoneInfo("Asia/Shanghai")
API = "/api/v1/stats/proposals/"
SUMMARY = "/api/v1/stats/proposals/summary/"


def at(y, m, d):
    return datetime(y, m, d, 10, 0, tzinfo=TZ)


@dataclass
class Data:
    term: Term
    plenary: Plenary
    old_term: Term
    old_plenary: Plenary
    dept: object
    other: object
    economy: ProposalCategory
    society: ProposalCategory
    proposals: dict


def _proposal(data_member, staff, *, state, kind, category, term, plenary, submitted, **stat):
    return Proposal.objects.create(
        title=f"提案{state}{kind}",
        category=category,
        kind=kind,
        organization="民盟市委" if kind == Kind.COLLECTIVE else "",
        proposer=None if kind == Kind.COLLECTIVE else data_member,
        created_by=staff,
        term=term,
        plenary=plenary,
        state=state,
        submitted_at=submitted,
        **stat,
    )


def _task(proposal, department, staff, *, role="lead", state="replied", due=None, **stat):
    return Assignment.objects.create(
        proposal=proposal,
        department=department,
        role=role,
        state=state,
        assigned_at=timezone.now(),
        assigned_by=staff,
        due_basis=date(2026, 2, 1),
        due_span="3m",
        due_date=due or date(2026, 5, 1),
        **stat,
    )


def build_dataset(member, staff, department, other_department) -> Data:
    """Nine proposals received in 2026 (十五届二次会议) plus noise that must not count."""
    old_term = Term.objects.create(number=14, start_date=date(2017, 1, 10))
    old_plenary = Plenary.objects.create(
        term=old_term, number=5, start_date=date(2021, 1, 10), end_date=date(2021, 1, 14)
    )
    term = Term.objects.get(number=15) if Term.objects.filter(number=15).exists() else None
    term = term or Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    plenary = Plenary.objects.get_or_create(
        term=term, number=2, defaults={"start_date": date(2026, 1, 12), "end_date": date(2026, 1, 15)}
    )[0]
    economy, society = ProposalCategory.objects.get(name="经济"), ProposalCategory.objects.get(name="社会")
    S, B = "satisfied", "basically_satisfied"
    rows = {
        # key: state, kind, category, stat fields
        1: (
            State.CLOSED,
            Kind.COLLECTIVE,
            economy,
            dict(stat_contacted=True, stat_satisfaction=S, stat_on_time=True),
        ),
        2: (
            State.CLOSED,
            Kind.INDIVIDUAL,
            economy,
            dict(stat_contacted=True, stat_satisfaction=B, stat_on_time=False),
        ),
        3: (State.REPLIED, Kind.JOINT, society, dict(stat_on_time=True)),
        4: (
            State.REHANDLING,
            Kind.INDIVIDUAL,
            society,
            dict(stat_contacted=True, stat_satisfaction="dissatisfied", stat_on_time=True),
        ),
        5: (State.IN_PROGRESS, Kind.COLLECTIVE, society, {}),
        6: (State.REGISTERED, Kind.INDIVIDUAL, economy, {}),
        7: (State.NOT_REGISTERED, Kind.INDIVIDUAL, economy, {}),
        8: (State.MERGED, Kind.JOINT, society, {}),
        9: (State.SUBMITTED, Kind.INDIVIDUAL, economy, {}),
    }
    p = {}
    for key, (state, kind, category, stat) in rows.items():
        p[key] = _proposal(
            member,
            staff,
            state=state,
            kind=kind,
            category=category,
            term=term,
            plenary=plenary,
            submitted=at(2026, 1 + key % 3, 10),
            **stat,
        )
    # Not received: a draft, a withdrawn one. Another year and term: one closed proposal.
    p["draft"] = _proposal(
        member,
        staff,
        state=State.DRAFT,
        kind=Kind.INDIVIDUAL,
        category=economy,
        term=term,
        plenary=plenary,
        submitted=None,
    )
    p["withdrawn"] = _proposal(
        member,
        staff,
        state=State.WITHDRAWN,
        kind=Kind.INDIVIDUAL,
        category=economy,
        term=term,
        plenary=plenary,
        submitted=at(2026, 1, 10),
    )
    p["old"] = _proposal(
        member,
        staff,
        state=State.CLOSED,
        kind=Kind.INDIVIDUAL,
        category=economy,
        term=old_term,
        plenary=old_plenary,
        submitted=at(2025, 12, 31),
        stat_contacted=True,
        stat_satisfaction=S,
        stat_on_time=True,
    )
    d1, d2 = department, other_department
    future, past = timezone.localdate() + timedelta(days=30), timezone.localdate() - timedelta(days=3)
    _task(p[1], d1, staff, stat_on_time=True, stat_result="A", stat_contacted=True, stat_satisfaction=S)
    _task(p[1], d2, staff, role="co", stat_on_time=False)
    _task(p[2], d1, staff, stat_on_time=False, stat_result="B", stat_contacted=True, stat_satisfaction=B)
    _task(p[3], d2, staff, stat_on_time=True, stat_result="C")
    _task(
        p[4],
        d1,
        staff,
        state="accepted",
        due=future,
        handling_round=2,
        stat_on_time=True,
        stat_result="A",
        stat_contacted=True,
        stat_satisfaction="dissatisfied",
    )
    _task(p[5], d2, staff, state="accepted", due=past)
    _task(p[5], d1, staff, role="co", state="cancelled", due=past)
    _task(p["old"], d1, staff, stat_on_time=True, stat_result="A", stat_contacted=True, stat_satisfaction=S)
    return Data(term, plenary, old_term, old_plenary, d1, d2, economy, society, p)


@pytest.fixture
def data(member, staff_user, department, other_department):
    return build_dataset(member, staff_user, department, other_department)


EXPECTED_2026 = {
    "received": 9,
    "collective": 2,
    "individual": 5,
    "joint": 2,
    "registered": 6,
    "registered_collective": 2,
    "not_registered": 1,
    "merged": 1,
    "pending_review": 1,
    "registration_rate": 66.7,  # 6/9
    "collective_share_of_registered": 33.3,  # 2/6
    "replied": 4,
    "reply_rate": 66.7,  # 4/6
    "replied_on_time": 3,
    "on_time_reply_rate": 75.0,
    "contacted": 3,
    "contacted_rate": 75.0,
    "rated": 3,
    "rating_rate": 75.0,
    "satisfied": 2,
    "satisfaction_rate": 66.7,  # 2/3
    "overdue": 1,
}

D1_ROW = {
    "assigned": 3,
    "replied": 3,
    "on_time": 2,
    "late": 1,
    "overdue": 0,
    "a": 2,
    "b": 1,
    "c": 0,
    "formal_replied": 3,
    "contacted": 3,
    "rehandled": 1,
    "rated": 3,
    "satisfied": 2,
    "on_time_rate": 66.7,
    "contacted_rate": 100.0,
    "satisfaction_rate": 66.7,
}
D2_ROW = {
    "assigned": 3,
    "replied": 2,
    "on_time": 1,
    "late": 1,
    "overdue": 1,
    "a": 0,
    "b": 0,
    "c": 1,
    "formal_replied": 1,
    "contacted": 0,
    "rehandled": 0,
    "rated": 0,
    "satisfied": 0,
    "on_time_rate": 50.0,
    "contacted_rate": 0.0,
    "satisfaction_rate": 0.0,
}


def test_rate_rounds_half_up_to_one_decimal():
    assert stats.rate(2, 3) == 66.7
    assert stats.rate(1, 3) == 33.3
    assert stats.rate(1, 16) == 6.3  # 6.25: half up, not banker's 6.2
    assert stats.rate(153, 202) == 75.7
    assert stats.rate(5, 5) == 100.0
    assert stats.rate(0, 0) == 0.0
    assert stats.percent_text(100.0) == "100%" and stats.percent_text(75.7) == "75.7%"


def test_every_figure_of_the_year(api, staff_user, data):
    body = api(staff_user).get(API, {"year": 2026}).json()
    assert body["scope"] == {"term": None, "plenary": None, "year": 2026}
    assert {k: body[k] for k in EXPECTED_2026} == EXPECTED_2026
    by_state = {r["state"]: r["count"] for r in body["by_state"]}
    assert by_state == {
        "awaiting_cosigners": 0,
        "submitted": 1,
        "returned": 0,
        "registered": 1,
        "not_registered": 1,
        "merged": 1,
        "assigned": 0,
        "in_progress": 1,
        "replied": 1,
        "rehandling": 1,
        "closed": 2,
    }
    assert body["by_category"] == [
        {"category": data.economy.pk, "name": "经济", "received": 5, "registered": 3},
        {"category": data.society.pk, "name": "社会", "received": 4, "registered": 3},
    ]
    rows = {r["department"]: r for r in body["by_department"]}
    assert set(rows) == {data.dept.pk, data.other.pk}
    assert {k: rows[data.dept.pk][k] for k in D1_ROW} == D1_ROW
    assert {k: rows[data.other.pk][k] for k in D2_ROW} == D2_ROW
    assert rows[data.dept.pk]["name"] == "市教育局"


def test_rates_are_computed_from_the_counts_in_the_response(api, staff_user, data):
    body = api(staff_user).get(API).json()
    assert body["registration_rate"] == stats.rate(body["registered"], body["received"])
    assert body["reply_rate"] == stats.rate(body["replied"], body["registered"])
    assert body["satisfaction_rate"] == stats.rate(body["satisfied"], body["rated"])
    assert body["on_time_reply_rate"] == stats.rate(body["replied_on_time"], body["replied"])
    for row in body["by_department"]:
        assert row["satisfaction_rate"] == stats.rate(row["satisfied"], row["rated"])


@pytest.mark.parametrize(
    ("params", "received", "registered"),
    [
        ({}, 10, 7),
        ({"year": 2025}, 1, 1),
        ({"year": 2024}, 0, 0),
        ("term15", 9, 6),
        ("term14", 1, 1),
        ("plenary2", 9, 6),
        ("old_plenary", 1, 1),
        ("term15_2025", 0, 0),
    ],
)
def test_filters_term_plenary_year(api, staff_user, data, params, received, registered):
    named = {
        "term15": {"term": data.term.pk},
        "term14": {"term": data.old_term.pk},
        "plenary2": {"plenary": data.plenary.pk},
        "old_plenary": {"plenary": data.old_plenary.pk, "term": data.old_term.pk},
        "term15_2025": {"term": data.term.pk, "year": 2025},
    }
    query = named[params] if isinstance(params, str) else params
    body = api(staff_user).get(API, query).json()
    assert (body["received"], body["registered"]) == (received, registered)
    assigned = sum(r["assigned"] for r in body["by_department"])
    assert assigned == {10: 7, 9: 6, 1: 1, 0: 0}[received]


@pytest.mark.parametrize(
    "query", [{"year": "abc"}, {"year": "1800"}, {"term": "999999"}, {"plenary": "x"}, "mismatch"]
)
def test_bad_filters_are_400(api, staff_user, data, query):
    if query == "mismatch":
        query = {"term": data.term.pk, "plenary": data.old_plenary.pk}
    response = api(staff_user).get(API, query)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_leader_sees_everything(api, leader_user, data):
    body = api(leader_user).get(API, {"year": 2026}).json()
    assert body["received"] == 9 and len(body["by_department"]) == 2


def test_department_sees_only_its_own_row_and_no_overall_figures(api, department_user, data):
    response = api(department_user).get(API, {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"scope", "by_department"}
    assert [r["department"] for r in body["by_department"]] == [data.dept.pk]
    assert {k: body["by_department"][0][k] for k in D1_ROW} == D1_ROW


def test_department_summary_and_member_are_refused(api, department_user, member_user, data):
    assert api(department_user).get(SUMMARY).status_code == 403
    assert api(member_user).get(API).status_code == 403
    assert api(member_user).get(SUMMARY).status_code == 403
    assert api().get(API).status_code in (401, 403)


def test_summary_paragraph_has_the_figures(api, staff_user, data):
    body = api(staff_user).get(SUMMARY, {"year": 2026}).json()
    assert body["text"] == (
        "2026年共收到提案9件，其中集体提案2件、委员联名提案2件、委员个人提案5件。"
        "经审查立案6件，立案率66.7%，其中集体提案2件，占立案总数的33.3%；不予立案1件；并案处理1件；尚在审查1件。"
        "立案提案已办复4件，办复率66.7%，其中按期办复3件，按期办复率75%。"
        "提案面商率75%，委员测评率75%，委员满意率66.7%。"
    )


def test_summary_all_rates_equal_reads_jun_wei(api, staff_user, data):
    # The old term's single proposal: contacted, replied on time, rated 满意.
    body = api(staff_user).get(SUMMARY, {"plenary": data.old_plenary.pk}).json()
    assert body["text"] == (
        "第十四届第五次会议共收到提案1件，其中集体提案0件、委员联名提案0件、委员个人提案1件。"
        "经审查立案1件，立案率100%，其中集体提案0件，占立案总数的0%。"
        "立案提案已办复1件，办复率100%，其中按期办复1件，按期办复率100%。"
        "提案面商率、委员测评率、委员满意率均为100%。"
    )


def test_summary_of_an_empty_scope(api, staff_user, data):
    assert api(staff_user).get(SUMMARY, {"year": 2001}).json()["text"] == "2001年尚未收到提案。"


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def _more_rows(data, staff, member, n):
    for i in range(n):
        dept = type(data.dept).objects.create(name=f"单位{i}", code=f"X{i}")
        p = _proposal(
            member,
            staff,
            state=State.CLOSED,
            kind=Kind.INDIVIDUAL,
            category=data.economy,
            term=data.term,
            plenary=data.plenary,
            submitted=at(2026, 3, 1),
            stat_contacted=True,
            stat_satisfaction="satisfied",
            stat_on_time=True,
        )
        _task(p, dept, staff, stat_on_time=True, stat_result="B")


def test_query_count_does_not_grow_with_rows(api, staff_user, department_user, member, data):
    client, dept_client = api(staff_user), api(department_user)
    before = _count_queries(client, API, {"year": 2026})
    before_dept = _count_queries(dept_client, API, {"year": 2026})
    before_summary = _count_queries(client, SUMMARY, {"year": 2026})
    _more_rows(data, staff_user, member, 18)
    assert _count_queries(client, API, {"year": 2026}) == before <= 6
    assert _count_queries(dept_client, API, {"year": 2026}) == before_dept
    assert _count_queries(client, SUMMARY, {"year": 2026}) == before_summary
    assert client.get(API, {"year": 2026}).json()["received"] == 27


def test_schema_documents_the_definitions(api, staff_user):
    schema = api(staff_user).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/stats/proposals/"]["get"]
    assert "registration_rate` = registered / received" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"term", "plenary", "year"}
