"""Issue 20 over the API and the pages: permissions (wrong role 403, outsiders 404), query counts that do
not grow with rows, the award DOCX read back, the 民主评议 forms kept to their member."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from consultations.models import Meeting
from members.models import DutyRecord
from proposals import services
from proposals.models import Assignment, DepartmentReview, Proposal, ProposalCategory
from zhengxie.accounts.models import Role

from .test_after_reply import _close, _proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(member, other_member, staff_user, plenary, department, department_user):
    p = _proposal(member, staff_user, plenary, cosigners=[other_member])
    return _close(p, staff_user, department, department_user, member)


def _bare_closed(n, member, staff_user, term, start=0):
    """Closed proposals written directly (the list queries only need the rows)."""
    category = ProposalCategory.objects.get(name="社会")
    now = timezone.now()
    for i in range(start, start + n):
        Proposal.objects.create(
            title=f"关于事项{i}的建议",
            category=category,
            proposer=member,
            created_by=staff_user,
            term=term,
            state=Proposal.State.CLOSED,
            number=f"Q{i:04d}",
            submitted_at=now,
            closed_at=now,
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
    return len(ctx)


# --- API --------------------------------------------------------------------------------------------


def test_revisit_api_and_permissions(api, closed, staff_user, member, other_department):
    url = f"/api/v1/proposals/{closed.pk}/revisit/"
    body = {"date": str(timezone.localdate()), "way": "phone", "content": "电话回访", "proposer_view": "满意"}
    assert api(member.user).post(url, body, format="json").status_code == 403
    stranger = make_user("dept9", Role.DEPARTMENT, department=other_department)
    assert api(stranger).post(url, body, format="json").status_code == 404
    assert api(staff_user).post(url, {**body, "way": "fax"}, format="json").status_code == 400
    response = api(staff_user).post(url, body, format="json")
    assert response.status_code == 201 and response.json()["way"] == "phone"
    figures = api(staff_user).get("/api/v1/stats/proposals/").json()
    assert (figures["closed"], figures["revisited"], figures["revisit_rate"]) == (1, 1, 100.0)
    assert "回访率" in api(staff_user).get("/api/v1/stats/proposals/summary/").json()["text"]
    after = api(member.user).get(f"/api/v1/proposals/{closed.pk}/after-reply/").json()
    assert [r["content"] for r in after["revisits"]] == ["电话回访"]


def test_award_and_outcome_api(api, closed, staff_user, member, department_user):
    url = f"/api/v1/proposals/{closed.pk}/award/"
    assert api(member.user).post(url, {"year": 2026, "title": "优秀提案"}, format="json").status_code == 403
    assert api(staff_user).post(url, {"year": 2026, "title": "优秀提案"}, format="json").status_code == 201
    assert DutyRecord.objects.filter(kind="proposal_excellent", object_id=closed.pk).count() == 2
    assert api(staff_user).post(url, {"year": 2026, "title": "优秀提案"}, format="json").status_code == 400
    listed = api(member.user).get("/api/v1/awards/?year=2026").json()
    assert [a["number"] for a in listed["results"]] == [closed.number]
    export = api(staff_user).get("/api/v1/awards/export/?year=2026")
    assert export.status_code == 200
    from docx import Document

    assert Document(io.BytesIO(export.content)).tables[0].rows[1].cells[1].text == closed.title
    assert api(member.user).get("/api/v1/awards/export/?year=2026").status_code == 403

    from django.core.files.uploadedfile import SimpleUploadedFile

    outcomes = f"/api/v1/proposals/{closed.pk}/outcomes/"
    response = api(department_user).post(
        outcomes,
        {
            "date": "2026-06-01",
            "kind": "project",
            "content": "立项建设",
            "document": SimpleUploadedFile("a.pdf", b"%PDF"),
        },
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["has_document"] is True
    assert (
        api(member.user)
        .post(outcomes, {"date": "2026-06-01", "kind": "policy", "content": "x"}, format="json")
        .status_code
        == 403
    )
    assert [o["kind"] for o in api(member.user).get(outcomes).json()] == ["project"]
    assert api(staff_user).get("/api/v1/stats/proposals/").json()["outcomes"] == 1


def test_mark_key_api_records_duty(api, closed, staff_user, leader_user):
    response = api(staff_user).post(
        f"/api/v1/proposals/{closed.pk}/mark-key/", {"leader": leader_user.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_key"] is True
    assert DutyRecord.objects.filter(kind="proposal_key", object_id=closed.pk).count() == 2


def test_key_round_api(api, closed, staff_user, leader_user, member):
    assert api(member.user).get("/api/v1/key-rounds/").status_code == 403
    assert api(leader_user).post("/api/v1/key-rounds/", {"year": 2026}, format="json").status_code == 403
    round_id = api(staff_user).post("/api/v1/key-rounds/", {"year": 2026}, format="json").json()["id"]
    response = api(staff_user).post(
        f"/api/v1/key-rounds/{round_id}/candidates/",
        {"proposal": closed.pk, "reason": "关注度高"},
        format="json",
    )
    assert response.status_code == 201
    start = timezone.now()
    meeting = Meeting.objects.create(
        title="主席会议",
        type="chair_meeting",
        start=start,
        end=start + timedelta(hours=1),
        place="x",
        created_by=staff_user,
    )
    response = api(staff_user).post(
        f"/api/v1/key-rounds/{round_id}/approve/", {"meeting": meeting.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    assert (
        api(leader_user).get(f"/api/v1/key-rounds/{round_id}/").json()["candidates"][0]["proposal"]
        == closed.pk
    )
    leaders = f"/api/v1/proposals/{closed.pk}/key-leaders/"
    assert (
        api(staff_user).post(leaders, {"name": "王某某", "post": "副市长"}, format="json").status_code == 201
    )
    assert api(leader_user).post(leaders, {"name": "x"}, format="json").status_code == 403
    assert (
        api(staff_user)
        .post(
            f"/api/v1/proposals/{closed.pk}/instructions/",
            {"leader": "李某", "post": "市委书记", "content": "阅，请认真办理", "date": "2026-03-01"},
            format="json",
        )
        .status_code
        == 201
    )
    assert (
        api(staff_user)
        .post(
            f"/api/v1/proposals/{closed.pk}/joint-supervisions/",
            {"office": "市委督查室", "date": "2026-04-01", "note": "联合督办"},
            format="json",
        )
        .status_code
        == 201
    )
    after = api(staff_user).get(f"/api/v1/proposals/{closed.pk}/after-reply/").json()
    assert [k["name"] for k in after["key_leaders"]] == ["王某某"]
    assert (
        after["key_instructions"][0]["leader"] == "李某"
        and after["joint_supervisions"][0]["office"] == "市委督查室"
    )


def test_review_api_keeps_answers_to_their_member(
    api, closed, staff_user, member, other_member, department, leader_user
):
    year = Assignment.objects.get(proposal=closed).stat_year
    round_id = api(staff_user).post("/api/v1/review-rounds/", {"year": year}, format="json").json()["id"]
    assert (
        api(member.user).post("/api/v1/review-rounds/", {"year": year + 1}, format="json").status_code == 403
    )
    forms = f"/api/v1/review-rounds/{round_id}/forms/"
    assert api(member.user).get(forms).status_code == 404  # not open yet: members do not see drafts
    assert api(staff_user).post(f"/api/v1/review-rounds/{round_id}/open/").status_code == 200
    body = {
        "department": department.pk,
        "attitude": "satisfied",
        "result": "dissatisfied",
        "comment": "进展慢",
    }
    assert api(member.user).post(forms, body, format="json").status_code == 201
    mine = api(member.user).get(forms).json()
    assert mine == [
        {
            "department": department.pk,
            "department_name": department.name,
            "attitude": "satisfied",
            "result": "dissatisfied",
            "comment": "进展慢",
        }
    ]
    theirs = api(other_member.user).get(forms).json()
    assert theirs[0]["attitude"] is None and theirs[0]["comment"] == ""  # never another member's answer
    assert api(staff_user).get(forms).status_code == 403
    results = f"/api/v1/review-rounds/{round_id}/results/"
    assert api(member.user).get(results).status_code == 403
    (row,) = api(leader_user).get(results).json()
    assert row["forms"] == 1 and row["result"]["dissatisfied"] == 1 and row["score"] == "50.0"


def test_api_lists_do_not_grow_in_queries(api, member, staff_user, term):
    client = api(staff_user)
    _bare_closed(2, member, staff_user, term)
    small = _count(client, "/api/v1/proposals/revisit-queue/?page_size=100")
    _bare_closed(12, member, staff_user, term, start=10)
    assert _count(client, "/api/v1/proposals/revisit-queue/?page_size=100") == small

    for p in Proposal.objects.all()[:2]:
        services.proposal_award(actor=staff_user, proposal=p, year=2026, title="优秀提案")
    small = _count(client, "/api/v1/awards/?year=2026&page_size=100")
    for p in Proposal.objects.all()[2:12]:
        services.proposal_award(actor=staff_user, proposal=p, year=2026, title="优秀提案")
    assert _count(client, "/api/v1/awards/?year=2026&page_size=100") == small


# --- pages ------------------------------------------------------------------------------------------


def test_pages_permissions_and_query_counts(client, member, staff_user, term, department_user):
    _bare_closed(2, member, staff_user, term)
    client.force_login(member.user)
    assert client.get("/workbench/proposals/after/revisits/").status_code == 403
    assert client.get("/workbench/proposals/after/awards/").status_code == 403
    client.force_login(department_user)
    assert client.get("/workbench/proposals/after/reviews/").status_code == 403
    assert client.get("/proposals/reviews/").status_code == 403
    client.force_login(staff_user)
    small = _count(client, "/workbench/proposals/after/revisits/")
    _bare_closed(12, member, staff_user, term, start=10)
    assert _count(client, "/workbench/proposals/after/revisits/") == small
    for p in Proposal.objects.all()[:2]:
        services.proposal_award(actor=staff_user, proposal=p, year=2026, title="优秀提案")
    small = _count(client, "/workbench/proposals/after/awards/?year=2026")
    for p in Proposal.objects.all()[2:10]:
        services.proposal_award(actor=staff_user, proposal=p, year=2026, title="优秀提案")
    assert _count(client, "/workbench/proposals/after/awards/?year=2026") == small
    response = client.get("/workbench/proposals/after/awards.docx?year=2026")
    from docx import Document

    assert len(Document(io.BytesIO(response.content)).tables[0].rows) == 11


def test_staff_records_a_revisit_on_the_panel(client, closed, staff_user, member):
    client.force_login(staff_user)
    html = client.get(f"/workbench/proposals/after/{closed.pk}/").content.decode()
    assert 'data-testid="revisit-form"' in html and "style=" not in html
    response = client.post(
        f"/workbench/proposals/after/{closed.pk}/revisit/",
        {
            "date": str(timezone.localdate()),
            "way": "face_to_face",
            "content": "上门回访",
            "proposer_view": "满意",
        },
    )
    assert response.status_code == 302
    assert closed.revisits.get().content == "上门回访"
    # the member sees it on the proposal
    client.force_login(member.user)
    assert "上门回访" in client.get(f"/proposals/{closed.pk}/").content.decode()
    # and a member cannot post it
    assert client.post(f"/workbench/proposals/after/{closed.pk}/revisit/", {}).status_code == 403


def test_member_review_page(client, closed, staff_user, member, department):
    year = Assignment.objects.get(proposal=closed).stat_year
    round_ = services.review_round_create(actor=staff_user, year=year)
    services.review_round_open(actor=staff_user, round=round_)
    client.force_login(member.user)
    html = client.get("/proposals/reviews/").content.decode()
    assert department.name in html and "style=" not in html
    client.post(
        "/proposals/reviews/",
        {"department": department.pk, "attitude": "satisfied", "result": "basically_satisfied"},
    )
    review = DepartmentReview.objects.get()
    assert (review.member, review.result) == (member, "basically_satisfied")
    client.force_login(staff_user)
    assert department.name in client.get("/workbench/proposals/after/reviews/").content.decode()


def test_department_records_an_outcome_on_the_portal(
    client, closed, department_user, other_department, member
):
    task = Assignment.objects.get(proposal=closed)
    client.force_login(department_user)
    html = client.get(f"/portal/assignments/{task.pk}/").content.decode()
    assert "登记成果转化" in html
    response = client.post(
        f"/portal/assignments/{task.pk}/outcome/",
        {"date": "2026-06-01", "kind": "funding", "content": "安排资金200万元"},
    )
    assert response.status_code == 302
    assert closed.outcomes.get().department_id == department_user.department_id
    stranger = make_user("dept9", Role.DEPARTMENT, department=other_department)
    client.force_login(stranger)
    assert client.post(f"/portal/assignments/{task.pk}/outcome/", {}).status_code == 404
    client.force_login(member.user)
    assert client.post(f"/portal/assignments/{task.pk}/outcome/", {}).status_code == 403


def test_revisits_stay_with_the_office_and_the_proposers(
    api, client, closed, staff_user, make_member, department_user
):
    services.proposal_revisit(
        actor=staff_user, proposal=closed, date=timezone.localdate(), way="phone", content="提案人意见：满意"
    )
    services.proposal_publish(actor=staff_user, proposal=closed)
    services.proposal_add_outcome(
        actor=staff_user, proposal=closed, date="2026-05-01", kind="policy", content="出台办法"
    )
    reader = make_member("读者委员")
    after = api(reader.user).get(f"/api/v1/proposals/{closed.pk}/after-reply/").json()
    assert after["revisits"] == [] and [o["content"] for o in after["outcomes"]] == ["出台办法"]
    client.force_login(reader.user)
    html = client.get(f"/proposals/{closed.pk}/").content.decode()
    assert "出台办法" in html and "提案人意见：满意" not in html
    assert api(department_user).get(f"/api/v1/proposals/{closed.pk}/after-reply/").json()["revisits"] == []
