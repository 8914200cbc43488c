"""Issue 19 pages: the similar-proposal hint (htmx fragment), the staff 代录 form, the bulk 交办 screen,
the review page's similar proposals with one-click 并案, and the public disclosure pages (no login)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory
from proposals.search_data.paraphrase_pairs import PAIRS

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture(autouse=True)
def _current_term(term):
    from django.core.cache import cache

    cache.clear()  # the public pages are cached
    return term


def _category():
    return ProposalCategory.objects.get(name="社会")


def _existing(actor, title, content, *, state=State.REGISTERED, published=True, number=""):
    p = services.proposal_create(actor=actor, title=title, content=content, category=_category())
    Proposal.objects.filter(pk=p.pk).update(
        state=state, is_published=published, submitted_at=timezone.now(), number=number
    )
    return Proposal.objects.get(pk=p.pk)


def test_similar_hint_fragment(client, member, other_member):
    old = _existing(other_member.user, PAIRS[0][0], PAIRS[0][1], number="十五届一次第0031号")
    client.force_login(member.user)
    res = client.get("/proposals/similar-hint/", {"title": PAIRS[0][2], "content": PAIRS[0][3]})
    assert res.status_code == 200
    body = res.content.decode()
    assert old.title in body and "第0031号" in body and "style=" not in body
    assert client.get("/proposals/similar-hint/", {"title": ""}).content.decode().strip() == ""


def test_similar_hint_needs_login_and_a_role(client, department_user):
    assert client.get("/proposals/similar-hint/", {"title": "电梯"}).status_code == 302
    client.force_login(department_user)
    assert client.get("/proposals/similar-hint/", {"title": "电梯"}).status_code == 403


def test_member_form_asks_for_the_hint_with_htmx_and_no_inline_script(client, member):
    client.force_login(member.user)
    body = client.get("/proposals/new/").content.decode()
    assert 'hx-get="/proposals/similar-hint/"' in body and 'id="similar-hint"' in body
    assert "<script>" not in body and " style=" not in body


def test_staff_enter_for_a_member_page(client, staff_user, member):
    client.force_login(staff_user)
    assert client.get("/workbench/proposals/enter/").status_code == 200
    res = client.post(
        "/workbench/proposals/enter/",
        {
            "proposer": member.pk,
            "title": "关于推进老旧小区加装电梯的建议",
            "category": _category().pk,
            "kind": "individual",
            "during_plenary": "0",
            "content": "委员交来的纸质提案。",
            "action": "submit",
        },
    )
    assert res.status_code == 302, res.context["form"].errors
    p = Proposal.objects.get(title="关于推进老旧小区加装电梯的建议")
    assert p.proposer == member and p.entered_by == staff_user and p.state == State.SUBMITTED


def test_enter_page_is_for_staff_only(client, member, leader_user):
    client.force_login(member.user)
    assert client.get("/workbench/proposals/enter/").status_code == 403
    client.force_login(leader_user)
    assert client.get("/workbench/proposals/enter/").status_code == 403


def test_review_page_suggests_merging_into_a_similar_registered_one(client, staff_user, member, other_member):
    old = _existing(other_member.user, PAIRS[3][0], PAIRS[3][1], number="十五届一次第0007号")
    new = services.proposal_create(
        actor=member.user, title=PAIRS[3][2], content=PAIRS[3][3], category=_category()
    )
    services.proposal_submit(actor=member.user, proposal=new)
    client.force_login(staff_user)
    body = client.get(f"/workbench/proposals/{new.pk}/").content.decode()
    assert 'data-testid="review-similar"' in body and old.number in body and "建议并案" in body
    res = client.post(f"/workbench/proposals/{new.pk}/merge/", {"into": old.pk})
    assert res.status_code == 302
    new.refresh_from_db()
    assert new.state == State.MERGED and new.merged_into_id == old.pk


@pytest.fixture
def registered(member, staff_user, plenary):
    rows = []
    for i in range(3):
        p = services.proposal_create(
            actor=member.user,
            title=f"关于第{i}项事务的建议",
            content="正文",
            category=_category(),
            during_plenary=True,
            plenary=plenary,
        )
        services.proposal_submit(actor=member.user, proposal=p)
        rows.append(services.proposal_register(actor=staff_user, proposal=p))
    return rows


def test_bulk_assign_page(client, staff_user, registered, department, other_department):
    client.force_login(staff_user)
    body = client.get("/workbench/proposals/assign-bulk/").content.decode()
    assert all(p.number in body for p in registered) and "办理期限" in body
    a, b, c = registered
    res = client.post(
        "/workbench/proposals/assign-bulk/",
        {
            "pick": [a.pk, b.pk],
            f"lead_{a.pk}": department.pk,
            f"lead_{b.pk}": department.pk,
            f"co_{b.pk}": other_department.pk,
        },
    )
    assert res.status_code == 302
    assert Assignment.objects.filter(proposal__in=[a, b]).count() == 3
    # A refusal (no department for c) leaves everything as it was.
    res = client.post("/workbench/proposals/assign-bulk/", {"pick": [c.pk]})
    assert res.status_code == 200 and "全部保持原状" in res.content.decode()
    c.refresh_from_db()
    assert c.state == State.REGISTERED


def test_bulk_assign_page_is_for_staff_only(client, member, department_user):
    for user in (member.user, department_user):
        client.force_login(user)
        assert client.get("/workbench/proposals/assign-bulk/").status_code == 403
        assert client.post("/workbench/proposals/assign-bulk/", {"pick": ["1"]}).status_code == 403


def test_public_pages_without_login(client, member, other_member):
    shown = _existing(
        member.user, "关于规范校外培训机构管理的建议", "加强预收费监管。", number="十五届一次第0001号"
    )
    hidden = _existing(member.user, "未公开的提案", "内容", published=False)
    res = client.get("/public/proposals/")
    assert res.status_code == 200
    body = res.content.decode()
    assert shown.title in body and hidden.title not in body and member.name in body
    assert member.mobile not in body and member.email not in body
    assert client.get(f"/public/proposals/{shown.pk}/").status_code == 200
    assert client.get(f"/public/proposals/{hidden.pk}/").status_code == 404


def test_public_page_query_count_is_constant(client, member):
    from django.core.cache import cache

    _existing(member.user, "关于甲的建议", "正文")
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get("/public/proposals/")
    for i in range(5):
        _existing(member.user, f"关于乙{i}的建议", "正文")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/public/proposals/")
    assert len(many) == len(few)
