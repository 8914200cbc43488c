"""Issue 19, the plenary season: 代录, 查重 (similar proposals), bulk 交办 with the 交办单, public disclosure."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document

from conftest import make_user
from proposals import search, season_selectors, services
from proposals.models import Assignment, Cosigner, Proposal, ProposalCategory
from proposals.search_data.paraphrase_pairs import PAIRS, UNRELATED
from zhengxie.accounts.models import Department, Role
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.models import AuditEntry, TransitionLog

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture(autouse=True)
def _current_term(term):
    return term


def _category():
    return ProposalCategory.objects.get(name="社会")


def _existing(actor, title, content, *, state=State.REGISTERED, published=True, number=""):
    """An existing proposal written through the service (so it is indexed), then moved on for the test."""
    p = services.proposal_create(actor=actor, title=title, content=content, category=_category())
    Proposal.objects.filter(pk=p.pk).update(
        state=state, is_published=published, submitted_at=timezone.now(), number=number
    )
    return Proposal.objects.get(pk=p.pk)


# --- segmentation and search quality ----------------------------------------------------------------


def test_segment_uses_the_committee_dictionary_and_drops_stopwords():
    words = search.segment("关于推进老旧小区加装电梯的建议")
    assert "老旧小区" in words and "加装电梯" in words
    assert "关于" not in words and "建议" not in words and "推进" not in words


def test_services_keep_the_segmented_words_up_to_date(member):
    p = services.proposal_create(
        actor=member.user, title="关于缓解城区停车难的建议", content="建设立体停车场", category=_category()
    )
    p.refresh_from_db()
    assert "停车难" in p.search_title.split() and "停车场" in p.search_content.split()
    services.proposal_update(actor=member.user, proposal=p, title="关于推进生活垃圾分类的建议")
    p.refresh_from_db()
    assert "垃圾分类" in p.search_title.split() and "停车难" not in p.search_title.split()


@pytest.fixture
def corpus(other_member):
    docs = [
        _existing(other_member.user, old_title, old_content, number=f"十五届二次第{n:04d}号")
        for n, (old_title, old_content, _, _) in enumerate(PAIRS, start=1)
    ]
    for title, content in UNRELATED:
        _existing(other_member.user, title, content)
    return docs


def test_paraphrased_duplicates_rank_first(corpus, staff_user):
    """Precision of the top result over the fixture of paraphrased pairs (no shared title substring)."""
    hits = 0
    for doc, (_, _, new_title, new_content) in zip(corpus, PAIRS, strict=True):
        assert new_title not in doc.title
        top = season_selectors.similar_proposals(staff_user, title=new_title, content=new_content)
        hits += bool(top) and top[0].pk == doc.pk
    assert hits == len(PAIRS)


def test_same_subject_in_other_words_ranks_above_an_unrelated_one(other_member, staff_user):
    lift = _existing(other_member.user, *PAIRS[0][:2])
    unrelated = _existing(
        other_member.user, "关于发展乡村旅游的建议", "打造精品民宿，带动农民增收，改善上下楼交通。"
    )
    rows = season_selectors.similar_proposals(staff_user, title=PAIRS[0][2], content=PAIRS[0][3])
    ids = [r.pk for r in rows]
    assert ids[0] == lift.pk
    assert unrelated.pk not in ids or ids.index(unrelated.pk) > ids.index(lift.pk)


def test_the_python_ranking_used_on_sqlite_finds_the_paraphrases_too(corpus):
    hits = 0
    for doc, (_, _, new_title, new_content) in zip(corpus, PAIRS, strict=True):
        terms = search.query_terms(new_title, new_content)
        top = season_selectors.rank_in_python(Proposal.objects.all(), terms, limit=3)
        hits += bool(top) and top[0].pk == doc.pk
    assert hits >= len(PAIRS) - 1


def test_a_member_sees_only_published_ones_and_their_own(member, other_member, staff_user):
    title, content, new_title, new_content = PAIRS[1]
    published = _existing(other_member.user, title, content)
    hidden = _existing(other_member.user, title + "（二）", content, published=False)
    mine = _existing(member.user, title + "（三）", content, published=False)
    ids = {
        r.pk for r in season_selectors.similar_proposals(member.user, title=new_title, content=new_content)
    }
    assert published.pk in ids and mine.pk in ids and hidden.pk not in ids
    staff_ids = {
        r.pk for r in season_selectors.similar_proposals(staff_user, title=new_title, content=new_content)
    }
    assert hidden.pk in staff_ids


def test_similar_api(api, corpus, member_user):
    _, _, new_title, new_content = PAIRS[2]
    res = api(member_user).get("/api/v1/proposals/similar/", {"title": new_title, "content": new_content})
    assert res.status_code == 200
    body = res.json()
    assert body[0]["id"] == corpus[2].pk and body[0]["number"] == corpus[2].number
    assert set(body[0]) == {"id", "number", "title", "year", "state", "score"}
    assert len(body) <= 10
    excluded = api(member_user).get(
        "/api/v1/proposals/similar/", {"title": new_title, "content": new_content, "exclude": corpus[2].pk}
    )
    assert corpus[2].pk not in [r["id"] for r in excluded.json()]
    assert api().get("/api/v1/proposals/similar/", {"title": new_title}).status_code in (401, 403)


def test_similar_query_count_does_not_grow_with_results(api, corpus, staff_user):
    client = api(staff_user)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/proposals/similar/", {"title": "停车"})
    with CaptureQueriesContext(connection) as many:
        client.get(
            "/api/v1/proposals/similar/", {"title": PAIRS[0][2], "content": " ".join(p[1] for p in PAIRS)}
        )
    # The query count does not depend on how many rows match: one ranked query, plus one wider one
    # when the first (two shared words) finds fewer than ten.
    assert len(few) <= 2 and len(many) <= 2


# --- 代录 --------------------------------------------------------------------------------------------


def test_staff_enter_a_joint_proposal_for_a_member(staff_user, member, other_member, plenary):
    p = services.proposal_create(
        actor=staff_user,
        proposer=member.pk,
        title="关于推进老旧小区加装电梯的建议",
        content="纸质提案代录。",
        category=_category(),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    assert p.proposer == member and p.entered_by == staff_user
    services.proposal_submit(actor=staff_user, proposal=p)
    p.refresh_from_db()
    # Co-signers confirm as usual; the notices go to the member, not to staff.
    assert p.state == State.AWAITING_COSIGNERS
    assert Cosigner.objects.get(proposal=p).status == Cosigner.Status.PENDING
    assert Notification.objects.filter(recipient=other_member.user, title__contains="联名邀请").exists()
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    p.refresh_from_db()
    assert p.state == State.SUBMITTED
    assert Notification.objects.filter(recipient=member.user, title__contains="提案已提交").exists()
    assert not Notification.objects.filter(recipient=staff_user).exists()
    # It is the member's: in their list, and their duty points.
    from members.models import DutyRecord
    from proposals.selectors import my_proposals

    assert p in my_proposals(member)
    assert DutyRecord.objects.filter(member=member, kind="proposal_submitted").exists()
    assert AuditEntry.objects.filter(
        action="proposal_create", object_id=str(p.pk), detail__entered_for=member.pk
    )


def test_entering_for_a_member_needs_staff_and_a_serving_member(staff_user, member, other_member):
    with pytest.raises(PermissionDenied):
        services.proposal_create(
            actor=member.user, proposer=other_member.pk, title="代录", category=_category()
        )
    with pytest.raises(InvalidInput):
        services.proposal_create(actor=staff_user, title="无提案人", category=_category())
    with pytest.raises(InvalidInput):
        services.proposal_create(
            actor=staff_user,
            proposer=member.pk,
            title="集体",
            category=_category(),
            kind="collective",
            organization="民盟",
        )


def test_other_staff_may_not_submit_a_members_own_draft(staff_user, member):
    p = services.proposal_create(
        actor=member.user, title="委员自己的草稿", content="正文", category=_category()
    )
    with pytest.raises(PermissionDenied):
        services.proposal_submit(actor=staff_user, proposal=p)


def test_api_entering_for_a_member(api, staff_user, member, member_user):
    body = {
        "title": "关于缓解城区停车难问题的建议",
        "content": "正文",
        "category": "社会",
        "proposer": member.pk,
    }
    res = api(staff_user).post("/api/v1/proposals/", body, format="json")
    assert res.status_code == 201, res.content
    assert res.json()["proposer"] == member.pk and res.json()["entered_by"] == staff_user.pk
    assert api(member_user).get(f"/api/v1/proposals/{res.json()['id']}/").status_code == 200
    other = make_user("m-x", Role.MEMBER)
    assert api(other).post("/api/v1/proposals/", body, format="json").status_code == 403


# --- bulk 交办 ---------------------------------------------------------------------------------------


@pytest.fixture
def registered_many(member, staff_user, plenary):
    def make(n):
        rows = []
        for i in range(n):
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

    return make


def test_bulk_assign_assigns_every_item(
    registered_many, staff_user, department, other_department, department_user
):
    a, b = registered_many(2)
    items = [
        {"proposal": a.pk, "assignments": [{"department": department.pk, "role": "lead"}]},
        {
            "proposal": b.pk,
            "assignments": [
                {"department": department.pk, "role": "lead"},
                {"department": other_department.pk, "role": "co"},
            ],
        },
    ]
    services.proposals_assign_bulk(actor=staff_user, items=items)
    assert set(Proposal.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {
        State.ASSIGNED
    }
    lead = Assignment.objects.get(proposal=b, role="lead")
    co = Assignment.objects.get(proposal=b, role="co")
    assert lead.due_span == "3m" and co.due_date < lead.due_date
    assert lead.stat_year == timezone.localdate().year and lead.stat_plenary_id == b.plenary_id
    assert TransitionLog.objects.filter(object_id=b.pk, to_state=State.ASSIGNED).exists()
    assert AuditEntry.objects.filter(action="proposal_assign", object_id=str(a.pk)).exists()
    assert Notification.objects.filter(recipient=department_user, title="新交办提案2件").exists()


def test_bulk_assign_is_all_or_nothing(registered_many, staff_user, department, other_department):
    a, b, c = registered_many(3)
    items = [
        {"proposal": a.pk, "assignments": [{"department": department.pk, "role": "lead"}]},
        {"proposal": b.pk, "assignments": [{"department": department.pk, "role": "lead"}]},
        # refused: a co unit without a lead
        {"proposal": c.pk, "assignments": [{"department": other_department.pk, "role": "co"}]},
    ]
    with pytest.raises(InvalidInput, match=c.number):
        services.proposals_assign_bulk(actor=staff_user, items=items)
    assert set(Proposal.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("state", flat=True)) == {
        State.REGISTERED
    }
    assert not Assignment.objects.exists()


def test_bulk_assign_statements_do_not_grow_per_item_beyond_the_notices(
    registered_many, staff_user, department, department_user
):
    rows = registered_many(12)

    def run(batch):
        items = [
            {"proposal": p.pk, "assignments": [{"department": department.pk, "role": "lead"}]} for p in batch
        ]
        with CaptureQueriesContext(connection) as ctx:
            services.proposals_assign_bulk(actor=staff_user, items=items)
        return len(ctx)

    small, large = run(rows[:2]), run(rows[2:])
    assert large == small


def test_bulk_assign_api_and_permissions(
    api, registered_many, staff_user, department, department_user, member_user
):
    (a,) = registered_many(1)
    body = {"items": [{"proposal": a.pk, "assignments": [{"department": department.pk, "role": "lead"}]}]}
    assert api(member_user).post("/api/v1/proposals/assign-bulk/", body, format="json").status_code == 403
    assert api(department_user).post("/api/v1/proposals/assign-bulk/", body, format="json").status_code == 403
    res = api(staff_user).post("/api/v1/proposals/assign-bulk/", body, format="json")
    assert res.status_code == 200 and res.json()["assigned"] == [{"id": a.pk, "number": a.number}]
    again = api(staff_user).post("/api/v1/proposals/assign-bulk/", body, format="json")
    assert again.status_code == 400


def test_assignment_sheet_docx(
    api, registered_many, staff_user, department, other_department, department_user
):
    a, b = registered_many(2)
    services.proposals_assign_bulk(
        actor=staff_user,
        items=[
            {"proposal": a.pk, "assignments": [{"department": department.pk, "role": "lead"}]},
            {"proposal": b.pk, "assignments": [{"department": other_department.pk, "role": "lead"}]},
        ],
    )
    res = api(department_user).get(f"/api/v1/departments/{department.pk}/assignment-sheet/")
    assert res.status_code == 200
    doc = Document(io.BytesIO(res.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert department.name in text and "交办提案共1件" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert a.number in cells and a.title in cells and "主办" in cells and b.number not in cells
    # Another department's sheet is not theirs to read; members are refused.
    assert (
        api(department_user).get(f"/api/v1/departments/{other_department.pk}/assignment-sheet/").status_code
        == 404
    )
    member = make_user("m-sheet", Role.MEMBER)
    assert api(member).get(f"/api/v1/departments/{department.pk}/assignment-sheet/").status_code == 403
    assert (
        api(staff_user).get(f"/api/v1/departments/{other_department.pk}/assignment-sheet/").status_code == 200
    )


# --- public disclosure ------------------------------------------------------------------------------


@pytest.fixture
def replied(registered_many, staff_user, department, department_user, member):
    def make(n, *, reply_published=True):
        rows = registered_many(n)
        services.proposals_assign_bulk(
            actor=staff_user,
            items=[
                {"proposal": p.pk, "assignments": [{"department": department.pk, "role": "lead"}]}
                for p in rows
            ],
        )
        for p in rows:
            task = Assignment.objects.get(proposal=p)
            services.assignment_accept(actor=department_user, assignment=task)
            services.assignment_add_contact(
                actor=department_user,
                assignment=task,
                date=timezone.localdate(),
                way="phone",
                summary="电话沟通",
            )
            services.assignment_reply(
                actor=department_user, assignment=task, result="A", content=f"答复内容{p.pk}"
            )
            Proposal.objects.filter(pk=p.pk).update(is_published=True, reply_published=reply_published)
        return rows

    return make


def test_public_list_and_detail_without_login(api, replied, member, registered_many):
    (shown,) = replied(1)
    (reply_hidden,) = replied(1, reply_published=False)
    (unpublished,) = registered_many(1)
    client = api()
    res = client.get("/api/v1/public/proposals/")
    assert res.status_code == 200
    ids = [r["id"] for r in res.json()["results"]]
    assert shown.pk in ids and reply_hidden.pk in ids and unpublished.pk not in ids
    detail = client.get(f"/api/v1/public/proposals/{shown.pk}/").json()
    assert detail["proposers"] == [member.name]
    assert detail["replies"][0]["content"] == f"答复内容{shown.pk}"
    assert client.get(f"/api/v1/public/proposals/{reply_hidden.pk}/").json()["replies"] == []
    assert client.get(f"/api/v1/public/proposals/{unpublished.pk}/").status_code == 404
    raw = res.content.decode()
    for personal in (member.mobile, member.email, "13900000001"):
        assert personal not in raw
    assert "proposer" not in detail  # no member id either, names only


def test_public_list_query_count_is_constant(api, replied):
    replied(2)
    client = api()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/public/proposals/").status_code == 200
    replied(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/public/proposals/").status_code == 200
    assert len(many) == len(few)


def test_public_list_pages_only_so_deep(api, replied, monkeypatch):
    """Anyone may call it: ?page= reaches only the first rows (10,000; 2 here), then filters must narrow it."""
    from proposals.api.season import PublicPagination

    monkeypatch.setattr(PublicPagination, "max_offset", 2)
    monkeypatch.setattr(PublicPagination, "page_size", 1)
    replied(3)
    client = api()
    first = client.get("/api/v1/public/proposals/").json()
    assert first["count"] == 3 and len(first["results"]) == 1
    assert client.get("/api/v1/public/proposals/", {"page": 2}).status_code == 200
    deep = client.get("/api/v1/public/proposals/", {"page": 3})
    assert deep.status_code == 400 and "筛选" in deep.json()["detail"]
    assert len(client.get("/api/v1/public/proposals/", {"page_size": 50}).json()["results"]) == 1


def test_public_year_is_the_year_of_registration(api, replied):
    """A proposal handed in at the end of one year and registered in the next is listed under the year it
    was registered: the date the list shows and orders by (one index range, not a walk of every year)."""
    rows = replied(1)
    year = timezone.localdate().year
    registered = timezone.make_aware(datetime(year, 1, 5, 10))
    Proposal.objects.filter(pk=rows[0].pk).update(
        submitted_at=registered - timedelta(days=10), registered_at=registered
    )
    client = api()
    listed = client.get("/api/v1/public/proposals/", {"year": year}).json()["results"]
    assert [r["id"] for r in listed] == [rows[0].pk]
    assert client.get("/api/v1/public/proposals/", {"year": year - 1}).json()["count"] == 0
    sql = str(season_selectors.public_proposals({"year": year}).query)
    assert '"registered_at" BETWEEN' in sql and '"submitted_at" BETWEEN' not in sql


def test_public_filters(api, replied, department):
    rows = replied(2)
    client = api()
    year = timezone.localdate().year
    assert client.get("/api/v1/public/proposals/", {"year": year}).json()["count"] == 2
    assert client.get("/api/v1/public/proposals/", {"year": year - 5}).json()["count"] == 0
    assert client.get("/api/v1/public/proposals/", {"department": department.pk}).json()["count"] == 2
    other = Department.objects.create(name="市水务局", code="SW")
    assert client.get("/api/v1/public/proposals/", {"department": other.pk}).json()["count"] == 0
    found = client.get("/api/v1/public/proposals/", {"q": rows[0].title}).json()
    assert rows[0].pk in [r["id"] for r in found["results"]]
