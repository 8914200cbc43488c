"""zhengxie.figures_cache: a statistics figure is computed once per database state and day, and any
committed write, through any door, is seen by the next reader. These tests commit (transaction=True):
inside a test's own transaction nothing is remembered, by design."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import services
from proposals.models import Proposal, ProposalCategory
from zhengxie import figures_cache
from zhengxie.figures_cache import remembered

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _current_term(term):
    return term


def _without_tokens(content: bytes) -> bytes:
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1", content)


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return {"n": Proposal.objects.count()}

    return calls, compute


def test_a_figure_is_computed_once_while_nothing_commits_and_again_after_any_write(member, staff_user):
    calls, compute = _counter()
    first = remembered("test.figure", 1, compute=compute)
    assert remembered("test.figure", 1, compute=compute) == first
    assert len(calls) == 1
    assert remembered("test.figure", 2, compute=compute) == first  # another key: computed for itself
    assert len(calls) == 2

    # A write through a service commits: the next reader counts it.
    services.proposal_create(
        actor=member.user, title="关于测试的建议", content="正文", category=ProposalCategory.objects.first()
    )
    assert remembered("test.figure", 1, compute=compute) == {"n": first["n"] + 1}
    assert len(calls) == 3

    # So does a write no service made (a manual fix in SQL).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE proposals_proposal SET title = title")
    remembered("test.figure", 1, compute=compute)
    assert len(calls) == 4


def test_nothing_is_remembered_inside_a_transaction_that_wrote(member):
    calls, compute = _counter()
    with transaction.atomic():
        services.proposal_create(
            actor=member.user, title="未提交的建议", content="正文", category=ProposalCategory.objects.first()
        )
        # Other sessions with this snapshot would not see the row this transaction sees.
        assert figures_cache.database_state() is None
        remembered("test.figure", 1, compute=compute)
        remembered("test.figure", 1, compute=compute)
    assert len(calls) == 2


def test_a_new_day_computes_afresh(monkeypatch):
    calls, compute = _counter()
    remembered("test.figure", 1, compute=compute)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(
        figures_cache.timezone, "localdate", lambda: tomorrow
    )  # overdue counts change at midnight
    remembered("test.figure", 1, compute=compute)
    assert len(calls) == 2


def test_the_statistics_api_and_pages_read_remembered_figures_and_see_a_submission(
    client, staff_user, member, monkeypatch
):
    client.force_login(staff_user)
    url = "/api/v1/stats/proposals/"
    with CaptureQueriesContext(connection) as cold:
        before = client.get(url).json()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url).json()
    assert again == before
    assert len(warm) < len(cold)  # the figures' queries are not run again
    # A page from remembered figures is the page computed afresh (but for its CSRF tokens).
    for page in (
        "/workbench/stats/",
        "/workbench/stats/year/",
        "/workbench/stats/assessment/",
        "/workbench/activities/registers/",
        "/workbench/handling/board/",
    ):
        client.get(page)
        warm_page = _without_tokens(client.get(page).content)
        monkeypatch.setattr(figures_cache, "database_state", lambda using="default": None)
        fresh_page = _without_tokens(client.get(page).content)
        monkeypatch.undo()
        assert warm_page == fresh_page and b"<table" in fresh_page, page

    proposal = services.proposal_create(
        actor=member.user, title="关于统计的建议", content="正文", category=ProposalCategory.objects.first()
    )
    services.proposal_submit(actor=member.user, proposal=proposal)
    after = client.get(url).json()
    assert after["received"] == before["received"] + 1


def test_a_list_remembers_its_count_and_page_ids_until_a_write(api, staff_user, member):
    category = ProposalCategory.objects.first()
    for i in range(3):
        proposal = services.proposal_create(
            actor=member.user, title=f"关于第{i}项的建议", content="正文", category=category
        )
        services.proposal_submit(actor=member.user, proposal=proposal)
    client = api(staff_user)
    url = "/api/v1/proposals/?page_size=2"
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url).json()
    assert again == first and first["count"] == 3
    ids_or_count = [
        q["sql"] for q in warm.captured_queries if 'AS "pk" FROM' in q["sql"] or "COUNT(" in q["sql"]
    ]
    assert ids_or_count == []  # neither the count nor the page's ids were read again

    newest = services.proposal_create(
        actor=member.user, title="关于新事的建议", content="正文", category=category
    )
    services.proposal_submit(actor=member.user, proposal=newest)
    after = client.get(url).json()
    assert after["count"] == 4 and after["results"][0]["id"] == newest.pk


# --- a Redis shared by the web workers (FIGURES_CACHE_URL) -----------------------------------------------


def _redis_figures(url="redis://127.0.0.1:6379/11"):
    import uuid

    from django.test import override_settings

    return override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "figures": {
                "BACKEND": "zhengxie.redis_cache.RedisCache",  # what settings name for FIGURES_CACHE_URL
                "LOCATION": url,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # nothing of an earlier run is read
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            },
        }
    )


def _in_another_worker(fn):
    """fn() on another thread: its own database connection and its own cache client, as another web
    worker has."""
    import threading

    from django.db import connections

    result = {}

    def run():
        try:
            result["value"] = fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


def test_a_figure_computed_by_one_worker_answers_another_through_redis(member):
    calls, compute = _counter()
    with _redis_figures():
        first = remembered("test.shared", 1, compute=compute)
        assert _in_another_worker(lambda: remembered("test.shared", 1, compute=compute)) == first
        assert len(calls) == 1  # the other worker read it from Redis
        services.proposal_create(
            actor=member.user,
            title="关于共享缓存的建议",
            content="正文",
            category=ProposalCategory.objects.first(),
        )
        after = _in_another_worker(lambda: remembered("test.shared", 1, compute=compute))
        assert after == {"n": first["n"] + 1} and len(calls) == 2


def test_the_shared_cache_builds_one_redis_client_and_reads_what_it_wrote():
    from django.core.cache import caches

    with _redis_figures():
        cache = caches["figures"]
        cache.set("a", {"n": 1})
        cache.set_many({"b": 2, "c": [3]})
        assert cache.get("a") == {"n": 1} and cache.get_many(["b", "c", "x"]) == {"b": 2, "c": [3]}
        cache.delete("b")
        assert cache.get("b") is None and cache.add("d", 1) and not cache.add("d", 2) and cache.get("d") == 1
        client = cache._cache.get_client()
        assert client is cache._cache.get_client(write=True) is cache._cache.get_client("k")
        assert len(cache._cache._clients) == 1  # Django's own built one for each of the calls above


def test_a_figure_is_not_shared_between_databases(monkeypatch):
    calls, compute = _counter()
    with _redis_figures():
        remembered("test.db", 1, compute=compute)
        # Another database on the same server sees the same cluster-wide snapshot.
        monkeypatch.setitem(connection.settings_dict, "NAME", "another_database")
        remembered("test.db", 1, compute=compute)
    assert len(calls) == 2


def test_pages_and_figures_work_while_the_shared_cache_is_down(client, staff_user):
    calls, compute = _counter()
    with _redis_figures("redis://127.0.0.1:1/0"):  # nothing listens there
        assert remembered("test.down", 1, compute=compute) == remembered("test.down", 1, compute=compute)
        assert len(calls) == 2  # computed each time, never an error
        client.force_login(staff_user)
        for page in ("/workbench/stats/", "/workbench/proposals/all/", "/api/v1/stats/proposals/"):
            assert client.get(page).status_code == 200, page


def test_the_portal_search_ranks_its_matches_once_until_a_write(client, assign, department, department_user):
    def routed(title):
        return f"assignments/{assign(title, '正文', department).pk}/"

    first_link = routed("关于社区食堂的建议")
    client.force_login(department_user)

    def ranked_queries():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
        ids_reads = [
            q["sql"]
            for q in ctx.captured_queries
            if "ts_rank" in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
        ]
        return page, ids_reads

    page, first = ranked_queries()
    assert first_link in page and len(first) == 1
    page, again = ranked_queries()
    assert first_link in page and again == []  # the ranked ids were remembered
    second_link = routed("关于学校食堂的建议")
    page, after = ranked_queries()
    assert first_link in page and second_link in page and len(after) == 1


def test_the_portal_remembers_its_counts_until_a_write(
    client, staff_user, member, department, department_user
):
    """The department portal's numbers (its 已答复 counts every task ever answered) are read once while
    nothing commits, and a new assignment is seen on the next view."""
    category = ProposalCategory.objects.first()

    def assign(title):
        proposal = services.proposal_create(actor=member.user, title=title, content="正文", category=category)
        services.proposal_submit(actor=member.user, proposal=proposal)
        services.proposal_register(actor=staff_user, proposal=proposal)
        services.proposal_assign(
            actor=staff_user, proposal=proposal, assignments=[{"department": department.pk, "role": "lead"}]
        )

    assign("关于门户统计的建议")
    client.force_login(department_user)
    client.get("/portal/")
    with CaptureQueriesContext(connection) as warm:
        page = client.get("/portal/").content.decode()
    counted = [q["sql"] for q in warm.captured_queries if 'FILTER (WHERE "proposals_assignment"' in q["sql"]]
    assert counted == []  # the numbers were not read again
    assert re.search(r"待签收\D*1\b", page), page
    assign("关于门户统计的第二条建议")
    assert re.search(r"待签收\D*2\b", client.get("/portal/").content.decode())
