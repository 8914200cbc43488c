"""Lists cost a bounded amount whatever the history (issue 15): capped counts, cursor links that reach every
row exactly once with the filters kept, the page-depth limit, pagers keeping filters, the 督办台 paged and
summarised per department."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.accounts.models import Department, Role
from zhengxie.api import Pagination
from zhengxie.paging import CappedPaginator, capped_count

pytestmark = pytest.mark.django_db
State = Proposal.State
BOARD = "/workbench/handling/board/"


def _proposals(n, *, member, term, plenary, state=State.SUBMITTED, start=0, **extra):
    category = ProposalCategory.objects.get(name="社会")
    rows = []
    for i in range(start, start + n):
        rows.append(
            Proposal.objects.create(
                title=f"提案{i}",
                content="正文" * 50,
                category=category,
                proposer=member,
                created_by=member.user,
                term=term,
                plenary=plenary,
                state=state,
                submitted_at=timezone.now() - timedelta(hours=i),
                **extra,
            )
        )
    return rows


def _tasks(proposals, department, *, staff_user, overdue_by=5, **extra):
    today = timezone.localdate()
    return [
        Assignment.objects.create(
            proposal=p,
            department=department,
            role="lead",
            state=extra.get("state", "accepted"),
            assigned_at=timezone.now(),
            assigned_by=staff_user,
            due_basis=today,
            due_date=today - timedelta(days=overdue_by + i % 3),
            **{k: v for k, v in extra.items() if k != "state"},
        )
        for i, p in enumerate(proposals)
    ]


def _follow(client, url):
    """Every id reached by following `next` from `url`, and the pages' counts."""
    ids, counts, pages = [], set(), 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        counts.add(body["count"])
        url = body["next"]
        pages += 1
        assert pages < 50
    return ids, counts


# --- the API ------------------------------------------------------------------------------------------


def test_following_next_reaches_every_proposal_once_with_the_filters(api, staff_user, member, term, plenary):
    _proposals(23, member=member, term=term, plenary=plenary)
    _proposals(4, member=member, term=term, plenary=plenary, state=State.REGISTERED, start=100)
    client = api(staff_user)
    ids, counts = _follow(client, "/api/v1/proposals/?state=submitted&page_size=5")
    expected = list(
        Proposal.objects.filter(state=State.SUBMITTED)
        .order_by("-updated_at", "-id")
        .values_list("pk", flat=True)
    )
    assert ids == expected and len(set(ids)) == 23
    assert counts == {23}
    first = client.get("/api/v1/proposals/?state=submitted&page_size=5").json()
    assert (
        "cursor=" in first["next"] and "state=submitted" in first["next"] and "page_size=5" in first["next"]
    )
    assert first["previous"] is None


def test_previous_link_of_a_cursor_page_goes_back_one_page(api, staff_user, member, term, plenary):
    _proposals(12, member=member, term=term, plenary=plenary)
    client = api(staff_user)
    page1 = client.get("/api/v1/proposals/?page_size=5").json()
    page2 = client.get(page1["next"]).json()
    page3 = client.get(page2["next"]).json()
    assert len(page3["results"]) == 2 and page3["next"] is None
    back = client.get(page3["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in page2["results"]]
    back1 = client.get(back["previous"]).json()
    assert [r["id"] for r in back1["results"]] == [r["id"] for r in page1["results"]]
    assert back1["previous"] is None


def test_page_parameter_still_works_and_deep_offsets_answer_400(
    api, staff_user, member, term, plenary, monkeypatch
):
    _proposals(12, member=member, term=term, plenary=plenary)
    client = api(staff_user)
    page2 = client.get("/api/v1/proposals/?page=2&page_size=5").json()
    assert len(page2["results"]) == 5 and page2["count"] == 12
    assert "page=" not in page2["previous"] and "cursor=" in page2["next"]
    assert client.get("/api/v1/proposals/?page=9&page_size=5").status_code == 404
    monkeypatch.setattr(Pagination, "max_offset", 10)
    response = client.get("/api/v1/proposals/?page=3&page_size=5")
    assert response.status_code == 400
    assert "next" in response.json()["detail"]
    # The cursor goes on past the limit.
    ids, _ = _follow(client, "/api/v1/proposals/?page_size=5")
    assert len(ids) == 12


def test_a_bad_cursor_is_400(api, staff_user):
    response = api(staff_user).get("/api/v1/proposals/?cursor=not-a-cursor")
    assert response.status_code == 400 and "cursor" in response.json()["detail"]


def test_count_is_exact_up_to_the_cap_then_an_estimate_beyond(
    api, staff_user, member, term, plenary, monkeypatch
):
    _proposals(8, member=member, term=term, plenary=plenary)
    client = api(staff_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/proposals/").json()["count"] == 8
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]  # one page holds them all
    assert client.get("/api/v1/proposals/?page_size=3").json()["count"] == 8
    monkeypatch.setattr(Pagination, "count_cap", 5)
    with CaptureQueriesContext(connection) as queries:
        count = client.get("/api/v1/proposals/?page_size=3").json()["count"]
    assert count > 5  # past the cap: the planner's estimate, never below cap + 1
    assert any("LIMIT 6" in q["sql"] and "COUNT(*)" in q["sql"] for q in queries.captured_queries)
    assert capped_count(Proposal.objects.all(), 5) == (5, False)
    assert capped_count(Proposal.objects.all(), 50) == (8, True)


def test_overdue_assignments_follow_next_in_due_order(api, staff_user, member, term, plenary, department):
    props = _proposals(14, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props[:11], department, staff_user=staff_user)
    _tasks(props[11:], department, staff_user=staff_user, overdue_by=-30)  # not overdue
    client = api(staff_user)
    ids, counts = _follow(client, "/api/v1/assignments/?overdue=true&page_size=4")
    expected = list(
        Assignment.objects.filter(due_date__lt=timezone.localdate())
        .order_by("due_date", "id")
        .values_list("pk", flat=True)
    )
    assert ids == expected and len(ids) == 11 and counts == {11}


def test_api_list_queries_do_not_grow_with_rows_or_depth(api, staff_user, member, term, plenary, department):
    props = _proposals(6, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props, department, staff_user=staff_user)
    client = api(staff_user)
    with CaptureQueriesContext(connection) as few:
        first = client.get("/api/v1/assignments/?page_size=3").json()
    props = _proposals(30, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS, start=50)
    _tasks(props, department, staff_user=staff_user)
    with CaptureQueriesContext(connection) as many:
        deep = client.get(client.get(first["next"]).json()["next"]).json()
    assert len(deep["results"]) == 3
    # two pages fetched in `many`: each costs what page 1 cost
    assert len(many) == 2 * len(few)


def test_department_sees_only_its_own_assignments_when_following_next(
    api, staff_user, member, term, plenary, department, other_department, department_user
):
    props = _proposals(9, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    own = _tasks(props[:5], department, staff_user=staff_user)
    _tasks(props[5:], other_department, staff_user=staff_user)
    ids, counts = _follow(api(department_user), "/api/v1/assignments/?page_size=2")
    assert sorted(ids) == sorted(t.pk for t in own) and counts == {5}


# --- the pages ----------------------------------------------------------------------------------------


def test_staff_list_pager_keeps_the_filters_and_shows_a_capped_count(
    client, staff_user, member, term, plenary, monkeypatch
):
    _proposals(60, member=member, term=term, plenary=plenary)
    client.force_login(staff_user)
    html = client.get("/workbench/proposals/all/?state=submitted&kind=individual").content.decode()
    assert "page=2" in html and "state=submitted" in html.split("page=2")[0].rsplit("href", 1)[-1]
    assert "共 60 件" in html
    page2 = client.get("/workbench/proposals/all/?state=submitted&kind=individual&page=2").content.decode()
    assert "首页" not in page2 and "上一页" in page2
    monkeypatch.setattr(CappedPaginator, "cap", 55)
    html = client.get("/workbench/proposals/all/?state=submitted").content.decode()
    assert "共 55+ 件" in html and "缩小范围" in html


def test_a_page_counts_only_a_window_past_itself(client, staff_user, member, term, plenary, monkeypatch):
    _proposals(130, member=member, term=term, plenary=plenary)
    monkeypatch.setattr(CappedPaginator, "window", 10)  # 50 a page: page 1 counts 60 rows, page 2 counts 110
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/workbench/proposals/all/").content.decode()
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 61" in counts[0]
    assert "第 1 / 2 页，共 60+ 件" in html and "下一页" in html
    assert "缩小范围" not in html  # deeper pages are reachable: nothing is cut off
    html = client.get("/workbench/proposals/all/?page=2").content.decode()
    assert "第 2 / 3 页，共 110+ 件" in html and "下一页" in html
    html = client.get("/workbench/proposals/all/?page=3").content.decode()
    assert "第 3 / 3 页，共 130 件" in html and "下一页" not in html and "提案129" in html
    # Nonsense page numbers are the first page, a page past the end the last one, as before.
    for bad in ("abc", "1.5", "%00"):
        assert "第 1 / 2 页" in client.get(f"/workbench/proposals/all/?page={bad}").content.decode(), bad
    for past in ("0", "-1"):  # Django's "last page" of what page 1 counted: a whole page, counted on
        html = client.get(f"/workbench/proposals/all/?page={past}").content.decode()
        assert "第 2 / 3 页，共 110+ 件" in html and html.count('data-testid="state-badge"') == 50
    assert "共 130 件" in client.get("/workbench/proposals/all/?page=" + "9" * 30).content.decode()
    # The hard cap still bounds the deepest count, and then says so.
    monkeypatch.setattr(CappedPaginator, "cap", 100)
    html = client.get("/workbench/proposals/all/?page=2").content.decode()
    assert "共 100+ 件" in html and "缩小范围" in html


def test_review_queue_queries_do_not_grow(client, staff_user, member, term, plenary, other_member):
    from proposals.models import Cosigner

    client.force_login(staff_user)
    props = _proposals(3, member=member, term=term, plenary=plenary)
    for p in props:
        Cosigner.objects.create(proposal=p, member=other_member, order=1, status="confirmed")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/workbench/proposals/").status_code == 200
    props = _proposals(40, member=member, term=term, plenary=plenary, start=10)
    for p in props:
        Cosigner.objects.create(proposal=p, member=other_member, order=1, status="confirmed")
    with CaptureQueriesContext(connection) as many:
        html = client.get("/workbench/proposals/").content.decode()
    assert "赵委员" in html and len(many) == len(few)


# --- the 督办台 -----------------------------------------------------------------------------------------


@pytest.fixture
def board_data(member, term, plenary, staff_user, department, other_department):
    props = _proposals(30, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props[:25], department, staff_user=staff_user, overdue_by=5)
    _tasks(props[25:], other_department, staff_user=staff_user, overdue_by=100)
    return props


def test_board_pages_the_overdue_tasks_and_summarises_per_department(
    client, staff_user, board_data, department, other_department
):
    client.force_login(staff_user)
    html = client.get(BOARD).content.decode()
    assert html.count("逾期 ") == 20  # the overview shows the first 20 of each section
    assert 'data-testid="board-more-overdue"' in html and "查看全部 30 条" in html
    summary = html.split('data-testid="board-summary"')[1].split("</section>")[0]
    assert summary.index("市教育局") < summary.index("市卫健委")  # most overdue first
    assert "25" in summary and "5" in summary
    one = client.get(f"{BOARD}?type=overdue").content.decode()
    assert one.count("逾期 ") >= 30 and 'data-testid="board-key"' not in one
    by_dept = client.get(f"{BOARD}?type=overdue&department={other_department.pk}").content.decode()
    table = by_dept.split('data-testid="board-overdue"')[1]
    assert "市卫健委" in table and "市教育局（" not in table
    old = client.get(f"{BOARD}?type=overdue&overdue_days=90").content.decode()
    assert old.split('data-testid="board-overdue"')[1].count('badge text-bg-danger">逾期') == 5


def test_board_section_pages_and_keeps_filters(client, staff_user, member, term, plenary, department):
    props = _proposals(60, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props, department, staff_user=staff_user)
    client.force_login(staff_user)
    html = client.get(f"{BOARD}?type=overdue&role=lead").content.decode()
    assert "共 60 件" in html and "type=overdue" in html and "role=lead" in html and "page=2" in html
    page2 = client.get(f"{BOARD}?type=overdue&role=lead&page=2").content.decode()
    assert page2.split('data-testid="board-overdue"')[1].count('badge text-bg-danger">逾期') == 10


def test_board_queries_do_not_grow_with_rows_in_a_section(
    client, staff_user, member, term, plenary, department
):
    client.force_login(staff_user)
    props = _proposals(3, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props, department, staff_user=staff_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{BOARD}?type=overdue").status_code == 200
    props = _proposals(70, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS, start=10)
    _tasks(props, department, staff_user=staff_user)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{BOARD}?type=overdue&page=2").status_code == 200
    assert len(many) <= len(few) + 1  # the capped count appears once there is a second page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.DEPARTMENT])
def test_board_refuses_members_and_departments(client, role, department):
    user = make_user(f"u_{role}", role, department=department if role == Role.DEPARTMENT else None)
    client.force_login(user)
    assert client.get(f"{BOARD}?type=overdue").status_code == 403


def test_board_ignores_invalid_filters(client, staff_user, board_data):
    client.force_login(staff_user)
    response = client.get(f"{BOARD}?department=x&overdue_days=7&role=boss&type=everything&page=-1")
    assert response.status_code == 200
    assert Department.objects.count() == 2


def test_a_list_ordered_by_relevance_pages_by_number(api, staff_user, member, term, plenary, monkeypatch):
    """`q` ranks by relevance (no keyset): next links fall back to ?page=, and `q` keeps working."""
    _proposals(7, member=member, term=term, plenary=plenary)
    client = api(staff_user)
    body = client.get("/api/v1/proposals/?q=提案&page_size=3").json()
    if body["next"]:
        assert "cursor=" not in body["next"] and "page=2" in body["next"] and "q=" in body["next"]
    assert client.get("/api/v1/proposals/?q=提案&cursor=abc").status_code == 400


def test_portal_counts_leave_the_closed_history_out(client, member, term, plenary, staff_user, department):
    from proposals.selectors import portal_counts

    props = _proposals(6, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(props[:2], department, staff_user=staff_user)  # open, overdue
    _tasks(props[2:4], department, staff_user=staff_user, state="replied")
    _tasks(props[4:], department, staff_user=staff_user, state="closed")
    counts = portal_counts(department.pk)
    assert counts == {"pending": 0, "in_progress": 2, "due_soon": 0, "overdue": 2, "replied": 2}


def test_opinion_reports_follow_next_once_each(api, staff_user, member):
    from sqyy import services as sqyy_services
    from sqyy.models import OpinionReport

    for i in range(7):
        report = sqyy_services.opinion_report_create(
            actor=member.user, title=f"社情民意{i}", content="情况。分析。建议。", category="社会民生"
        )
        sqyy_services.opinion_report_submit(actor=member.user, report=report)
    ids, counts = _follow(api(staff_user), "/api/v1/opinion-reports/?page_size=3")
    assert sorted(ids) == sorted(OpinionReport.objects.values_list("pk", flat=True)) and len(ids) == 7
    assert counts == {7}


def test_pages_read_ids_first_and_return_the_same_rows(api, client, staff_user, member, term, plenary):
    import zhengxie.paging as paging

    _proposals(30, member=member, term=term, plenary=plenary)
    c = api(staff_user)
    shallow = [r["id"] for r in c.get("/api/v1/proposals/?page=3&page_size=7").json()["results"]]
    client.force_login(staff_user)
    before = client.get("/workbench/proposals/all/?page=1").content.decode()
    with CaptureQueriesContext(connection) as queries:
        deep = [r["id"] for r in c.get("/api/v1/proposals/?page=3&page_size=7").json()["results"]]
    assert deep == shallow and len(deep) == 7
    id_only = 'SELECT "proposals_proposal"."id" AS "pk" FROM'
    assert any(q["sql"].startswith(id_only) for q in queries.captured_queries)
    rows = paging.CappedPaginator(Proposal.objects.order_by("-id"), 4).page(3).object_list
    assert [p.pk for p in rows] == list(Proposal.objects.order_by("-id").values_list("pk", flat=True)[8:12])
    assert client.get("/workbench/proposals/all/?page=1").content.decode().count("提案") == before.count(
        "提案"
    )


def test_api_count_is_exact_only_to_the_api_cap(api, staff_user, member, term, plenary):
    """The API counts at most API_COUNT_CAP + 1 visible rows (a page's count never walks 10,000 rows);
    the pages keep their 10,000."""
    from zhengxie.paging import API_COUNT_CAP, COUNT_CAP

    _proposals(2, member=member, term=term, plenary=plenary)
    with CaptureQueriesContext(connection) as queries:
        assert api(staff_user).get("/api/v1/proposals/?page_size=1").json()["count"] == 2
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert counts and all(f"LIMIT {API_COUNT_CAP + 1}" in sql for sql in counts)
    assert API_COUNT_CAP < COUNT_CAP and Pagination.count_cap == API_COUNT_CAP


def test_api_list_joins_only_the_rows_it_names(api, staff_user, member, term, plenary):
    """The API list reads the proposal with its category, proposer and rejection reason joined (the names
    it shows) and nothing of the search columns: eight joins cost ~20 ms of planning on every page."""
    _proposals(3, member=member, term=term, plenary=plenary)
    with CaptureQueriesContext(connection) as queries:
        body = api(staff_user).get("/api/v1/proposals/").json()
    assert (
        body["results"][0]["category_name"] == "社会" and body["results"][0]["proposer_name"] == member.name
    )
    listed = next(
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "proposals_proposal"."id"')
    )
    assert listed.count(" JOIN ") <= 3
    assert "search_content" not in listed and "search_replies" not in listed


def test_member_visibility_reads_cosigned_ids_once(api, member, term, plenary):
    """A member's list filters by their own and co-signed ids, not a co-signer probe per proposal."""
    _proposals(3, member=member, term=term, plenary=plenary, is_published=True)
    with CaptureQueriesContext(connection) as queries:
        assert api(member.user).get("/api/v1/proposals/?page_size=1").json()["count"] == 3
    counted = next(q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"])
    assert "proposals_cosigner" not in counted


def test_board_writes_the_units_once_for_every_adjustment_request(
    client, staff_user, member, term, plenary, department
):
    """Each 调整申请 row picks a new unit; the units are written once (a <template> site.js copies into each
    select), not once per request: 20 requests × 150 units made the 督办台 250 KB."""
    for i in range(12):
        Department.objects.create(name=f"市某局{i:02d}", code=f"MJ{i:02d}")
    props = _proposals(5, member=member, term=term, plenary=plenary, state=State.IN_PROGRESS)
    _tasks(
        props,
        department,
        staff_user=staff_user,
        state="adjustment_requested",
        adjustment_reason="非本单位职责",
    )
    client.force_login(staff_user)
    html = client.get(f"{BOARD}?type=adjustments").content.decode()
    assert html.count('data-testid="adjustment-request"') == 5
    assert html.count('data-options-from="board-department-options"') == 5
    template = html.split('<template id="board-department-options">')[1].split("</template>")[0]
    assert "市某局07" in template and html.count("市某局07") == 2  # the template and the filter above


def test_a_page_reads_its_rows_by_id_without_repeating_the_visibility_filter(
    api, member, other_member, term, plenary
):
    """The page's ids come from the reader's visible rows; the rows are then read by id alone (a member's
    filter names every proposal they co-signed), and the page is the same."""
    mine = _proposals(3, member=member, term=term, plenary=plenary)
    _proposals(3, member=other_member, term=term, plenary=plenary, start=10)  # not visible to `member`
    client = api(member.user)
    every = [r["id"] for r in client.get("/api/v1/proposals/?page_size=10").json()["results"]]
    assert sorted(every) == sorted(p.pk for p in mine)
    with CaptureQueriesContext(connection) as queries:
        ids = [r["id"] for r in client.get("/api/v1/proposals/?page_size=2&page=2").json()["results"]]
    assert ids == every[2:]
    rows_sql = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "proposals_proposal"."id", ')
    ]
    assert (
        len(rows_sql) == 1 and '"proposals_proposal"."proposer_id" =' not in rows_sql[0].split("WHERE", 1)[1]
    )
    # A list with annotations (a search's rank) keeps its whole query.
    hits = client.get("/api/v1/proposals/?q=提案").json()["results"]
    assert {r["id"] for r in hits} == {p.pk for p in mine}


def test_a_page_asked_directly_past_the_window_is_counted_to(member, term, plenary, monkeypatch):
    _proposals(12, member=member, term=term, plenary=plenary)
    monkeypatch.setattr(CappedPaginator, "window", 2)
    rows = CappedPaginator(Proposal.objects.order_by("-id"), 2).page(5).object_list
    assert [p.pk for p in rows] == list(Proposal.objects.order_by("-id").values_list("pk", flat=True)[8:10])


def test_a_search_page_reads_its_rows_by_id_with_the_rank_of_its_ids(
    client, staff_user, member, term, plenary
):
    """A ranked list's ids come with their rank; the rows are then read by id alone, without matching the
    words and ranking again."""
    from proposals import search

    category = ProposalCategory.objects.get(name="社会")
    for i in range(6):
        title, content = (
            ("养老服务" if i % 2 else f"社区治理{i}"),
            "养老" * (i + 1) + "。完善社区养老服务设施。",
        )
        Proposal.objects.create(
            title=title,
            content=content,
            **search.index_fields(title, content),
            category=category,
            proposer=member,
            created_by=member.user,
            term=term,
            plenary=plenary,
            state=State.SUBMITTED,
            submitted_at=timezone.now() - timedelta(hours=i),
        )
    ranked = search.ordered(
        search.text_search(Proposal.objects.all(), "养老", all_replies=True),
        {"q": "养老"},
        "-submitted_at",
        "-id",
    )
    expected = list(ranked.values_list("pk", "search_rank"))
    assert len(expected) == 6 and len({rank for _, rank in expected}) > 1
    with CaptureQueriesContext(connection) as queries:
        rows = CappedPaginator(ranked, 4).page(1).object_list
    assert [(p.pk, p.search_rank) for p in rows] == expected[:4]
    by_id = [q["sql"] for q in queries.captured_queries if '"proposals_proposal"."title"' in q["sql"]]
    assert by_id and all("to_tsquery" not in sql and "ts_rank" not in sql for sql in by_id)

    client.force_login(staff_user)
    page = client.get("/workbench/proposals/all/", {"q": "养老"}).content.decode()
    positions = [page.find(f"/workbench/proposals/{pk}/") for pk, _ in expected]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
