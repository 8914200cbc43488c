"""Issue 19: the `q` of every proposal list — Chinese segmentation, ranked, highlighted, over title, content,
replies and the text of DOCX/PDF attachments; numbers looked up through indexes."""

import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals import search, selectors, services
from proposals.models import Assignment, Proposal, ProposalCategory, Reply
from proposals.page_selectors import merge_targets
from proposals.search_data.paraphrase_pairs import PAIRS, UNRELATED
from tests.files import docx_with_text, pdf_with_text
from zhengxie import textsearch
from zhengxie.accounts.models import Role

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture(autouse=True)
def _current_term(term):
    return term


def _category():
    return ProposalCategory.objects.get(name="社会")


def _existing(actor, title, content="", *, state=State.REGISTERED, published=True, number="", serial=None):
    p = services.proposal_create(actor=actor, title=title, content=content, category=_category())
    Proposal.objects.filter(pk=p.pk).update(
        state=state, is_published=published, submitted_at=timezone.now(), number=number, serial=serial
    )
    return Proposal.objects.get(pk=p.pk)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _ids(res):
    return [row["id"] for row in res.json()["results"]]


@pytest.fixture
def corpus(other_member):
    docs = [_existing(other_member.user, title, content) for title, content, _, _ in PAIRS]
    for title, content in UNRELATED:
        _existing(other_member.user, title, content)
    return docs


# --- quality ------------------------------------------------------------------------------------------


def test_paraphrased_titles_find_their_subject_first(api, corpus, staff_user):
    """Top-result precision over the paraphrased pairs: the list's q is only the other wording's title (a
    few words). Measured 6/8: 加强对课外辅导班的监管 and 整治城区河道污染 share a single word with their
    pair's text (监管 / 河道) and come second, behind a text with that word in its title — a keyword
    search, not a thesaurus. 查重 (title and content) finds all 8 (test_season.py)."""
    client = api(staff_user)
    hits = in_top_2 = 0
    for doc, (_, _, new_title, _) in zip(corpus, PAIRS, strict=True):
        ids = _ids(client.get("/api/v1/proposals/", {"q": new_title}))
        hits += bool(ids) and ids[0] == doc.pk
        in_top_2 += doc.pk in ids[:2]
    assert hits >= 6, f"precision@1 {hits}/{len(PAIRS)}"
    assert in_top_2 == len(PAIRS)


def test_words_not_substrings_and_parts_of_long_words(api, other_member, staff_user):
    lift = _existing(other_member.user, "关于老旧小区加装电梯的建议", "楼内没有电梯。")
    # 小区 is part of 老旧小区: a text that only says 小区 … 改造 matches 老旧小区改造 through the parts.
    renovate = _existing(other_member.user, "小区管网改造", "对老的小区进行管网改造。")
    unrelated = _existing(other_member.user, "发展乡村旅游", "打造民宿。")
    client = api(staff_user)
    assert set(_ids(client.get("/api/v1/proposals/", {"q": "老旧小区改造"}))) == {renovate.pk}
    ids = _ids(client.get("/api/v1/proposals/", {"q": "加装电梯"}))
    assert ids == [lift.pk] and unrelated.pk not in ids


def test_relevance_order_unless_an_ordering_is_asked(api, other_member, staff_user):
    strong = _existing(other_member.user, "城区停车泊位不足", "停车难，泊位少，建设立体停车场。")
    weak = _existing(other_member.user, "关于城市交通的建议", "其中也涉及停车泊位。")
    client = api(staff_user)
    assert _ids(client.get("/api/v1/proposals/", {"q": "停车泊位"}))[:2] == [strong.pk, weak.pk]
    # the list's own order (newest change first) when asked
    res = client.get("/api/v1/proposals/", {"q": "停车泊位", "ordering": "default"})
    assert _ids(res)[:2] == [weak.pk, strong.pk]


# --- replies and attachments --------------------------------------------------------------------------


@pytest.fixture
def replied_proposal(member, staff_user, department, department_user, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="关于发展新能源的建议",
        content="发展清洁能源。",
        category=_category(),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    p = services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department, "role": "lead"}]
    )
    task = Assignment.objects.get(proposal=p)
    services.assignment_accept(actor=department_user, assignment=task)
    services.assignment_add_contact(
        actor=department_user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    letter = SimpleUploadedFile(
        "答复函.pdf", pdf_with_text("Agrivoltaic pilot approved"), content_type="application/pdf"
    )
    services.assignment_reply(
        actor=department_user,
        assignment=task,
        result="B",
        content="我局已将屋顶分布式光伏列入明年计划。",
        letter=letter,
    )
    Proposal.objects.filter(pk=p.pk).update(is_published=True)
    return Proposal.objects.get(pk=p.pk)


def test_reply_text_and_letter_are_searched_for_staff(api, replied_proposal, staff_user):
    p = replied_proposal
    assert "光伏" in p.search_replies and "agrivoltaic" in p.search_replies
    client = api(staff_user)
    assert _ids(client.get("/api/v1/proposals/", {"q": "分布式光伏"})) == [p.pk]
    assert _ids(client.get("/api/v1/proposals/", {"q": "agrivoltaic"})) == [p.pk]


def test_a_task_is_found_by_its_own_reply_words_which_reindex_and_the_migration_rebuild(
    api, replied_proposal, department_user, staff_user
):
    """Each reply keeps its own words (content and letter), indexed for the task lists' `q`; replies stored
    before they had words get them from the migration (a committee's size) or from search_reindex."""
    reply = Reply.objects.get(assignment__proposal=replied_proposal)
    assert "光伏" in reply.search_words and "agrivoltaic" in reply.search_words
    words, task = reply.search_words, reply.assignment_id
    clerk, staff = api(department_user), api(staff_user)
    for client in (clerk, staff):
        assert _ids(client.get("/api/v1/assignments/", {"q": "agrivoltaic"})) == [task]
    Reply.objects.update(search_words="")
    Proposal.objects.update(search_replies="")
    assert _ids(clerk.get("/api/v1/assignments/", {"q": "agrivoltaic"})) == []
    call_command("search_reindex", stdout=io.StringIO())
    assert Reply.objects.get(pk=reply.pk).search_words == words
    for client in (clerk, staff):
        assert _ids(client.get("/api/v1/assignments/", {"q": "agrivoltaic"})) == [task]
    # a reply on a proposal whose older replies have no words yet keeps their words in the proposal's
    Reply.objects.update(search_words="")
    search.refresh_replies(replied_proposal.pk)
    assert "agrivoltaic" in Proposal.objects.get(pk=replied_proposal.pk).search_replies
    assert Reply.objects.get(pk=reply.pk).search_words == words
    Reply.objects.update(search_words="")
    migration = importlib.import_module("proposals.migrations.0016_reply_search_words")
    migration.backfill(apps, None)
    assert Reply.objects.get(pk=reply.pk).search_words == words


def test_unpublished_replies_are_not_searched_for_others(api, replied_proposal, other_member):
    p = replied_proposal
    reader = api(other_member.user)  # a member reading the published proposal, not its proposer
    assert _ids(reader.get("/api/v1/proposals/", {"q": "分布式光伏"})) == []
    assert _ids(api().get("/api/v1/public/proposals/", {"q": "分布式光伏"})) == []
    Proposal.objects.filter(pk=p.pk).update(reply_published=True)
    assert _ids(reader.get("/api/v1/proposals/", {"q": "分布式光伏"})) == [p.pk]
    assert _ids(api().get("/api/v1/public/proposals/", {"q": "分布式光伏"})) == [p.pk]


def test_docx_and_pdf_attachments_are_searched(api, member, staff_user):
    p = services.proposal_create(
        actor=member.user, title="关于农业的建议", content="发展农业。", category=_category()
    )
    services.proposal_attachment_add(
        actor=member.user,
        proposal=p,
        uploaded_file=SimpleUploadedFile("调研报告.docx", docx_with_text("盐碱地改良试点的调研报告")),
    )
    services.proposal_attachment_add(
        actor=member.user,
        proposal=p,
        uploaded_file=SimpleUploadedFile("data.pdf", pdf_with_text("Drip irrigation survey")),
    )
    services.proposal_submit(actor=member.user, proposal=p)
    p.refresh_from_db()
    assert "盐碱地" in p.search_files and "irrigation" in p.search_files
    assert p.attachments.get(name="调研报告.docx").text.startswith("盐碱地改良")
    client = api(staff_user)
    assert _ids(client.get("/api/v1/proposals/", {"q": "盐碱地改良"})) == [p.pk]
    assert _ids(client.get("/api/v1/proposals/", {"q": "drip irrigation"})) == [p.pk]
    # the proposal's own vector (查重) does not take the attachment's words
    assert "盐碱地" not in p.search_content


def test_a_damaged_file_is_kept_but_not_searchable(member):
    p = services.proposal_create(actor=member.user, title="关于农业的建议", content="", category=_category())
    broken = SimpleUploadedFile("坏.pdf", b"%PDF-1.4\nnot really a pdf")
    attachment = services.proposal_attachment_add(actor=member.user, proposal=p, uploaded_file=broken)
    assert attachment.text == "" and attachment.size > 0


# --- numbers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["十五届二次第0031号", "第0031号", "0031", "31", f"{timezone.now().year}-0031"])
def test_a_number_is_looked_up_through_an_index(api, other_member, staff_user, q):
    target = _existing(other_member.user, "关于某事的建议", number="十五届二次第0031号", serial=31)
    _existing(other_member.user, "关于另一事的建议", number="十五届二次第0131号", serial=131)
    client = api(staff_user)
    with CaptureQueriesContext(connection) as ctx:
        ids = _ids(client.get("/api/v1/proposals/", {"q": q}))
    assert ids == [target.pk]
    sql = " ".join(query["sql"] for query in ctx.captured_queries if "proposals_proposal" in query["sql"])
    assert "LIKE" not in sql.upper()  # no %…% scan


def test_number_lookup_uses_the_serial_index_when_it_pays(other_member):
    _existing(other_member.user, "关于某事的建议", number="十五届二次第0031号", serial=31)
    qs = search.text_search(Proposal.objects.all(), "第0031号", all_replies=True)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "proposal_serial_idx" in plan


@pytest.mark.parametrize("all_replies", [True, False])
def test_words_use_the_gin_indexes(other_member, all_replies):
    """Also for a member or the public, who search published replies only: the condition stays outside
    the tsvector match (a CASE around the vector made every such search a sequential scan)."""
    _existing(other_member.user, "城区停车泊位不足", "停车难")
    qs = search.text_search(Proposal.objects.all(), "停车泊位", all_replies=all_replies)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # GIN answers by bitmap only
        plan = qs.explain()
    assert "Seq Scan" not in plan
    replies_index = "proposals_proposal_replies_gin" if all_replies else "proposals_proposal_replies_pub_gin"
    assert "proposals_proposal_search_gin" in plan and f"{replies_index} " in plan
    # The bitmap answers the whole condition: no row's tsvectors are unpacked to re-check it.
    assert "Filter" not in plan, plan


def test_assignment_search_finds_own_replies_by_their_words_index(other_member):
    """A task's own replies are found by each reply's words and their GIN index, never by reading the
    replies' text (a word in nearly every reply took ~6 s at a quarter province with LIKE)."""
    from proposals.models import Assignment

    _existing(other_member.user, "城区停车泊位不足", "停车难")
    qs = search.assignment_search(Assignment.objects.all(), "停车泊位")
    reply_lookup = str(qs.query).split('FROM "proposals_reply"', 1)[1]
    assert "U0.search_vector @@ to_tsquery" in reply_lookup
    assert "UPPER" not in reply_lookup and "LIKE" not in reply_lookup
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # GIN answers by bitmap only
        plan = qs.explain()
    assert "proposals_reply_search_gin" in plan


def test_a_departments_search_reads_only_its_own_replies(
    other_member, department, department_user, staff_user
):
    """A clerk's list holds only their department's tasks, so the replies looked up are only its own: the
    department goes into the replies' lookup, not only onto the list."""
    from proposals.models import Assignment

    _existing(other_member.user, "城区停车泊位不足", "停车难")
    assert selectors.assignments_department_of(department_user) == department.pk
    assert selectors.assignments_department_of(staff_user) is None
    mine = Assignment.objects.filter(department=department)
    sql = str(search.assignment_search(mine, "停车泊位", department_id=department.pk).query)
    reply_lookup = sql.split('FROM "proposals_reply"', 1)[1]
    assert f'"department_id" = {department.pk}' in reply_lookup
    unscoped = str(search.assignment_search(Assignment.objects.all(), "停车泊位").query)
    assert '"department_id" =' not in unscoped.split('FROM "proposals_reply"', 1)[1]


def test_a_departments_search_count_reads_its_tasks_from_an_index(other_member, department):
    """Counting a clerk's matches checks each of the department's tasks (its proposal, its own replies):
    from assignment_dept_proposal_idx alone, not from the heap of every task the department ever had."""
    from proposals.models import Assignment

    _existing(other_member.user, "城区停车泊位不足", "停车难")
    mine = Assignment.objects.filter(department=department)
    found = search.assignment_search(mine, "停车泊位", department_id=department.pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = found.order_by().values("pk").explain()
    tasks = [line for line in plan.splitlines() if "proposals_assignment" in line and "u1" not in line]
    assert any("Index Only Scan using assignment_dept_proposal_idx" in line for line in tasks), plan


def test_a_ranked_page_sorts_ids_then_reads_its_rows(api, staff_user, other_member):
    """Ranking sorts every match: the page's ids are sorted first and only its rows are read whole (a
    thousand matches joined to their whole proposals made the planner read the proposals table)."""
    weak = _existing(other_member.user, "关于城市交通的建议", "其中也涉及食堂。")
    strong = _existing(other_member.user, "食堂食品安全", "学校食堂。")
    with CaptureQueriesContext(connection) as queries:
        assert _ids(api(staff_user).get("/api/v1/proposals/", {"q": "食堂"})) == [strong.pk, weak.pk]
    sqls = [q["sql"] for q in queries.captured_queries]
    ranked = [sql for sql in sqls if "ts_rank" in sql and "ORDER BY" in sql]
    # The ranked query selects the ids and their rank, no row's columns.
    assert len(ranked) == 1 and ranked[0].startswith('SELECT "proposals_proposal"."id"')
    assert '"proposals_proposal"."title"' not in ranked[0].split(" FROM ")[0]
    assert any(
        sql.startswith('SELECT "proposals_proposal"."id", "proposals_proposal"."title"')
        and '"id" IN (' in sql
        for sql in sqls
    )


# --- highlighting --------------------------------------------------------------------------------------


def test_highlight_escapes_then_marks():
    out = textsearch.highlight('<script>alert("停车")</script> &amp 老旧小区', "老旧小区 停车 amp")
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<mark class="search-hit">停车</mark>' in out
    assert '<mark class="search-hit">老旧小区</mark>' in out
    assert "&amp;<mark" in out  # the & is escaped before amp is marked: no broken entity
    assert "style=" not in out
    assert textsearch.highlight("<b>x</b>", "") == "&lt;b&gt;x&lt;/b&gt;"


def test_list_page_highlights_and_keeps_a_script_title_escaped(other_member, staff_user):
    p = _existing(other_member.user, "<script>alert(1)</script>城区停车难", "建设立体停车场，缓解停车难。")
    page = _client(staff_user).get("/workbench/proposals/all/", {"q": "停车难"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark class="search-hit">停车难</mark>' in page
    assert re.search(r'search-snippet">.*<mark class="search-hit">停车难</mark>', page)
    assert f"/workbench/proposals/{p.pk}/" in page or str(p.pk) in page


# --- every list ---------------------------------------------------------------------------------------


@pytest.fixture
def pair(other_member, member):
    """A published, registered proposal about 停车 and one about 旅游 (with a number each)."""
    hit = _existing(
        other_member.user, "城区停车泊位不足", "建设立体停车场。", number="十五届二次第0001号", serial=1
    )
    miss = _existing(member.user, "发展乡村旅游", "打造精品民宿。", number="十五届二次第0002号", serial=2)
    return hit, miss


def _page_has(client, url, params, hit, miss):
    body = client.get(url, params).content.decode()
    return hit.title in body.replace('<mark class="search-hit">', "").replace(
        "</mark>", ""
    ), miss.title in body


def test_q_on_every_proposal_list(api, pair, staff_user, member_user, member):
    hit, miss = pair
    q = {"q": "停车泊位"}
    staff = _client(staff_user)
    assert _page_has(staff, "/workbench/proposals/all/", q, hit, miss) == (True, False)
    # review queue: submitted ones
    Proposal.objects.filter(pk__in=[hit.pk, miss.pk]).update(state=State.SUBMITTED)
    assert _page_has(staff, "/workbench/proposals/", q, hit, miss) == (True, False)
    Proposal.objects.filter(pk__in=[hit.pk, miss.pk]).update(state=State.REGISTERED)
    assert _page_has(staff, "/workbench/proposals/assign-bulk/", q, hit, miss) == (True, False)
    assert _page_has(_client(member_user), "/proposals/published/", q, hit, miss) == (True, False)
    assert _page_has(Client(), "/public/proposals/", q, hit, miss) == (True, False)
    assert _ids(api(staff_user).get("/api/v1/proposals/", q)) == [hit.pk]
    assert _ids(api(member_user).get("/api/v1/proposals/", q)) == [hit.pk]
    assert _ids(api().get("/api/v1/public/proposals/", q)) == [hit.pk]
    assert [p.pk for p in merge_targets(exclude_pk=0, q="停车泊位")] == [hit.pk]
    assert [p.pk for p in merge_targets(exclude_pk=0, q="第0002号")] == [miss.pk]
    # the proposer's exact name
    assert _ids(api(staff_user).get("/api/v1/proposals/", {"q": member.name})) == [miss.pk]
    # the register export takes the same q
    from proposals.handling_selectors import proposal_register

    assert [p.pk for p in proposal_register(staff_user, params=q)] == [hit.pk]


def test_list_query_count_does_not_grow_with_matches(api, other_member, staff_user):
    def add(n):
        for i in range(n):
            _existing(other_member.user, f"城区停车泊位不足（{i}）", "建设立体停车场。")

    add(2)
    client, staff = api(staff_user), _client(staff_user)
    with CaptureQueriesContext(connection) as api_few:
        assert client.get("/api/v1/proposals/", {"q": "停车泊位"}).status_code == 200
    with CaptureQueriesContext(connection) as page_few:
        assert staff.get("/workbench/proposals/all/", {"q": "停车泊位"}).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as api_many:
        assert client.get("/api/v1/proposals/", {"q": "停车泊位"}).json()["count"] == 8
    with CaptureQueriesContext(connection) as page_many:
        assert staff.get("/workbench/proposals/all/", {"q": "停车泊位"}).status_code == 200
    assert len(api_many) == len(api_few) and len(page_many) == len(page_few)


def test_a_query_of_only_stopwords_or_one_character(api, other_member, staff_user):
    hit = _existing(other_member.user, "水价改革", "")
    client = api(staff_user)
    assert _ids(client.get("/api/v1/proposals/", {"q": "水"})) == [hit.pk]
    assert _ids(client.get("/api/v1/proposals/", {"q": "关于 建议"})) == []


def test_a_department_searches_only_what_was_routed_to_it(api, replied_proposal, other_department):
    other_department_user = make_user("dept-x", Role.DEPARTMENT, department=other_department)
    assert _ids(api(other_department_user).get("/api/v1/proposals/", {"q": "新能源"})) == []


def test_q_on_the_members_own_list(pair, member_user, other_member):
    hit, miss = pair  # miss is the member's own (旅游); hit is someone else's
    mine = _existing(member_user, "老城区停车位紧张", "停车泊位不足。")
    body = _client(member_user).get("/proposals/", {"q": "停车泊位"}).content.decode()
    assert '老城区<mark class="search-hit">停车</mark>位紧张' in body
    assert miss.title not in body and hit.title not in body and mine.pk


def test_department_routing_is_read_from_its_own_index(department):
    """`?department=` and a department's visibility ask which proposals were routed to it (not cancelled):
    the index on (department, proposal) with the state answers that without reading the assignments.

    What is checked here is that the question reads nothing but that index's columns; that the planner
    takes it at scale is in the benchmark's EXPLAIN (`benchmarks/pages.py --explain`). On a test's nearly
    empty table the planner's pick among equally cheap indexes depended on which tests ran before."""
    routed = selectors.proposals_filter(
        Proposal.objects.all(), params={"department": str(department.pk)}, user=None
    )
    sql = str(routed.values("pk").query)
    subquery = re.search(r'IN \(SELECT .*? FROM "proposals_assignment" U0 WHERE .*?\)\)', sql)
    assert subquery, sql
    assert set(re.findall(r'U0\."(\w+)"', subquery.group(0))) == {"proposal_id", "department_id", "state"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'assignment_dept_proposal_idx'")
        indexdef = cursor.fetchone()[0]
    # what makes it answer without the table
    assert "(department_id, proposal_id, id) INCLUDE (state)" in indexdef, indexdef
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = routed.explain()
    assert "proposals_assignment" in plan and "Seq Scan on proposals_assignment" not in plan


def test_a_search_counts_its_matches_once(api, staff_user, other_member):
    """Whether to rank (a count capped at RANK_LIMIT) and the pager's count are the same rows: within one
    GET the first count answers the second (zhengxie.paging.counts_remembered)."""
    for i in range(3):
        _existing(other_member.user, f"关于养老服务第{i}项的建议", "社区养老")
    _existing(other_member.user, "关于交通的建议", "公交线路")
    with CaptureQueriesContext(connection) as queries:
        body = api(staff_user).get("/api/v1/proposals/", {"q": "养老"}).json()
    assert body["count"] == 3 and len(body["results"]) == 3
    assert sum(1 for q in queries.captured_queries if "COUNT(*)" in q["sql"]) == 1


def test_remembered_counts_answer_only_what_they_know():
    from zhengxie.paging import capped_count, counts_remembered

    def counts(queries):
        return [q for q in queries.captured_queries if "COUNT(" in q["sql"]]

    with connection.cursor() as cursor:  # a transaction that has written: zhengxie.figures_cache stays out
        cursor.execute("SELECT pg_current_xact_id()")
    with counts_remembered():
        with CaptureQueriesContext(connection) as queries:
            assert capped_count(Proposal.objects.all(), 5) == (0, True)
            assert capped_count(Proposal.objects.all(), 2) == (0, True)
        assert len(counts(queries)) == 1
    # Outside a request's block nothing is remembered: a count after a write sees the write.
    with CaptureQueriesContext(connection) as queries:
        capped_count(Proposal.objects.all(), 5)
        capped_count(Proposal.objects.all(), 5)
    assert len(counts(queries)) == 2


def test_snippets_come_from_the_text_a_list_already_read(other_member, staff_user):
    """The published list reads each proposal whole: its snippets use that text, no second read by id; the
    staff list (content deferred) reads the page's texts in one query."""
    _existing(other_member.user, "城区停车难", "建设立体停车场，缓解停车难。")
    client = _client(staff_user)
    for url, reads in (("/proposals/published/", 0), ("/workbench/proposals/all/", 1)):
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url, {"q": "停车难"}).content.decode()
        assert re.search(r'search-snippet">.*<mark class="search-hit">停车难</mark>', page), url
        by_id = [
            q["sql"]
            for q in ctx.captured_queries
            if '"proposals_proposal"."content" AS "content"' in q["sql"]
        ]
        assert len(by_id) == reads, url
