"""Issue 19: the `q` of the department portal's list (page and GET /api/v1/assignments/) searches only the
department's own assignments and its own replies; a word found in too many rows leaves every list in its own
order (zhengxie.textsearch.RANK_LIMIT) and the page says so; the member's 社情民意 page list takes `q`."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals import search
from proposals.models import Proposal
from sqyy import services as sqyy_services
from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.workflow import views as portal_views

pytestmark = pytest.mark.django_db
NOTE = "匹配较多，按时间排序"


@pytest.fixture(autouse=True)
def _current_term(term):
    return term


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _ids(res):
    assert res.status_code == 200, res.content
    return [row["id"] for row in res.json()["results"]]


@pytest.fixture
def other_clerk(other_department):
    return make_user("wjw", Role.DEPARTMENT, department=other_department)


@pytest.fixture
def tasks(assign, department, department_user, other_department, other_clerk):
    mine = assign("<b>社区</b>养老食堂建设", "老年人就餐难。", department)
    replied = assign(
        "关于发展新能源的建议", "发展清洁能源。", department, reply="我局已将屋顶分布式光伏列入计划。"
    )
    theirs = assign("城区停车泊位不足", "建设立体停车场。", other_department, reply="已规划智慧停车平台。")
    return mine, replied, theirs


def test_portal_api_q_finds_own_title_and_own_reply_never_another_department(
    api, tasks, department_user, other_clerk
):
    mine, replied, theirs = tasks
    client = api(department_user)
    assert _ids(client.get("/api/v1/assignments/", {"q": "养老食堂"})) == [mine.pk]
    assert _ids(client.get("/api/v1/assignments/", {"q": "分布式光伏"})) == [replied.pk]
    # another department's proposal and its reply: not found, though the words exist
    assert _ids(client.get("/api/v1/assignments/", {"q": "停车泊位"})) == []
    assert _ids(client.get("/api/v1/assignments/", {"q": "智慧停车"})) == []
    other = api(other_clerk)
    assert _ids(other.get("/api/v1/assignments/", {"q": "智慧停车"})) == [theirs.pk]
    assert _ids(other.get("/api/v1/assignments/", {"q": "分布式光伏"})) == []


def test_portal_search_total_says_when_it_is_capped(assign, department, department_user, monkeypatch):
    """Past the count's cap the heading says "N+", not a number that looks exact."""
    from zhengxie.workflow import portal

    for i in range(3):
        assign(f"学校食堂安全（{i}）", "食堂卫生。", department)
    client = _client(department_user)
    monkeypatch.setattr(portal_views, "PER_PAGE", 1)
    page = client.get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
    assert "（3）" in page
    monkeypatch.setattr(portal, "SEARCH_COUNT_CAP", 2)
    page = client.get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
    assert "（2+）" in page and page.count('data-testid="task-row"') == 1


@pytest.mark.parametrize("common", [False, True], ids=["rare-word", "common-word"])
def test_staff_task_search_finds_the_same_tasks_for_common_words(api, tasks, staff_user, monkeypatch, common):
    """Everyone's task list skips the candidate proposals when the planner thinks the words common
    (search._common); what it finds is the same: a task by its proposal's words or by its own reply."""
    monkeypatch.setattr(search, "COMMON_WORD_SHARE", 0.0 if common else 1.0)
    mine, replied, theirs = tasks
    client = api(staff_user)
    assert _ids(client.get("/api/v1/assignments/", {"q": "养老食堂"})) == [mine.pk]
    assert _ids(client.get("/api/v1/assignments/", {"q": "分布式光伏"})) == [replied.pk]
    assert _ids(client.get("/api/v1/assignments/", {"q": "智慧停车"})) == [theirs.pk]
    assert _ids(client.get("/api/v1/assignments/", {"q": "殡葬改革"})) == []
    assert search._common("食堂") is common


def test_portal_page_q_highlighted_escaped_kept_by_links(tasks, department_user):
    mine, replied, theirs = tasks
    client = _client(department_user)
    page = client.get("/portal/", {"q": "养老食堂", "status": "all"}).content.decode()
    assert 'name="q"' in page and "查找承办事项" in page
    assert f"/portal/proposals/assignments/{mine.pk}/" in page or f"assignments/{mine.pk}/" in page
    assert "<b>社区</b>" not in page and "&lt;b&gt;社区&lt;/b&gt;" in page
    assert '<mark class="search-hit">' in page
    assert f"assignments/{theirs.pk}/" not in page and f"assignments/{replied.pk}/" not in page
    # status links keep the search
    assert "status=pending&amp;q=" in page
    page = client.get("/portal/", {"q": "智慧停车", "status": "all"}).content.decode()
    assert f"assignments/{theirs.pk}/" not in page and 'data-testid="no-tasks"' in page


def test_portal_page_query_count_is_flat(assign, tasks, department, department_user, monkeypatch):
    client = _client(department_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/portal/", {"q": "食堂", "status": "all"}).status_code == 200
    for i in range(4):
        assign(f"学校食堂安全（{i}）", "食堂卫生。", department)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
    assert page.count('data-testid="task-row"') == 5
    assert len(many) == len(few)
    # the matches are counted once: the count that decides on ranking is the pager's total too
    counted = [
        q["sql"]
        for q in many.captured_queries
        if "COUNT(*)" in q["sql"] and "proposals_assignment" in q["sql"]
    ]
    assert len(counted) == 1
    # a source that found fewer than a page needs no count at all (社情民意 transfers: none match here)
    assert not [q for q in many.captured_queries if "COUNT(*)" in q["sql"] and "sqyy_transfer" in q["sql"]]
    # the pager keeps the search
    monkeypatch.setattr(portal_views, "PER_PAGE", 2)
    page = client.get("/portal/", {"q": "食堂", "status": "all", "page": 2}).content.decode()
    assert page.count('data-testid="task-row"') == 2 and "第2页 / 共3页" in page
    assert "page=3&amp;q=%E9%A3%9F%E5%A0%82" in page and "page=1&amp;q=%E9%A3%9F%E5%A0%82" in page


def test_common_word_leaves_every_list_in_its_own_order(
    api, assign, department, department_user, monkeypatch
):
    # ranked: the strong match (the word in the title twice over) comes first though due last
    weak = assign("关于城市交通的建议", "其中也涉及食堂。", department, due_in=5)
    strong = assign("食堂食品安全", "学校食堂。", department, due_in=40)
    client = api(department_user)
    assert _ids(client.get("/api/v1/assignments/", {"q": "食堂"})) == [strong.pk, weak.pk]
    page = _client(department_user).get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
    assert NOTE not in page
    # more matches than the limit: the list's own order (due date), and the page says why
    monkeypatch.setattr(textsearch, "RANK_LIMIT", 1)
    monkeypatch.setattr(search, "TASK_RANK_LIMIT", 1)  # the task lists' own limit
    assert _ids(client.get("/api/v1/assignments/", {"q": "食堂"})) == [weak.pk, strong.pk]
    page = _client(department_user).get("/portal/", {"q": "食堂", "status": "all"}).content.decode()
    assert NOTE in page and page.index(f"assignments/{weak.pk}/") < page.index(f"assignments/{strong.pk}/")
    # the shared ordering: the proposal lists too (newest change first) and their pages
    Proposal.objects.filter(pk=strong.proposal_id).update(updated_at=timezone.now() - timedelta(days=3))
    staff = make_user("office2", Role.STAFF)
    assert _ids(api(staff).get("/api/v1/proposals/", {"q": "食堂"})) == [weak.proposal_id, strong.proposal_id]
    monkeypatch.setattr(textsearch, "RANK_LIMIT", 1000)
    assert _ids(api(staff).get("/api/v1/proposals/", {"q": "食堂"})) == [strong.proposal_id, weak.proposal_id]


def test_member_opinion_list_page_q(member, other_member):
    def report(actor, title, content):
        return sqyy_services.opinion_report_create(actor=actor, title=title, content=content)

    school = report(member.user, "<i>校园</i>周边交通安全", "上下学高峰拥堵，缺少接送车位。")
    report(member.user, "农村饮水安全", "部分村庄水质不达标。")
    report(other_member.user, "接送车位不足", "别人的社情民意。")
    client = _client(member.user)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/opinions/", {"q": "接送车位"}).content.decode()
    assert 'name="q"' in page and f"/opinions/{school.pk}/" in page
    assert "饮水安全" not in page and "别人的社情民意" not in page and "接送车位不足" not in page
    assert "<i>校园</i>" not in page and "&lt;i&gt;校园&lt;/i&gt;" in page
    assert '<mark class="search-hit">' in page
    for i in range(4):
        report(member.user, f"接送车位（{i}）", "学校门口接送车位。")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/opinions/", {"q": "接送车位"}).content.decode()
    assert page.count("/opinions/") >= 5
    assert len(many) == len(few)
