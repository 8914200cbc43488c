"""/assignments/ and the handling actions on /proposals/: shapes, permissions, bad input, query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.accounts.models import Department, Role

pytestmark = pytest.mark.django_db


def _registered(member, staff_user, plenary, title="关于优化公交线路的建议"):
    p = services.proposal_create(
        actor=member.user,
        title=title,
        content="建议……",
        category=ProposalCategory.objects.get(name="经济"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def registered(member, staff_user, plenary):
    return _registered(member, staff_user, plenary)


def test_staff_assign_over_api_and_department_sees_only_its_own(
    api, registered, staff_user, department, other_department, department_user
):
    other_user = make_user("wjw1", Role.DEPARTMENT, department=other_department)
    response = api(staff_user).post(
        f"/api/v1/proposals/{registered.pk}/assign/",
        {
            "assignments": [
                {"department": department.pk, "role": "lead"},
                {"department": other_department.pk, "role": "co"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "assigned" and [a["role"] for a in body["assignments"]] == ["lead", "co"]
    mine = api(department_user).get("/api/v1/assignments/").json()
    assert mine["count"] == 1 and mine["results"][0]["department"] == department.pk
    item = mine["results"][0]
    task = Assignment.objects.get(department=department)
    assert item["due_date"] == str(task.due_date)
    assert item["days_left"] == (task.due_date - timezone.localdate()).days > 80
    assert item["is_overdue"] is False and item["proposal_number"] == registered.number
    theirs = Assignment.objects.get(department=other_department)
    assert api(department_user).get(f"/api/v1/assignments/{theirs.pk}/").status_code == 404
    assert api(department_user).post(f"/api/v1/assignments/{theirs.pk}/accept/").status_code == 404
    assert api(other_user).get(f"/api/v1/assignments/{theirs.pk}/").status_code == 200
    # the department now sees the proposal routed to it
    assert api(department_user).get(f"/api/v1/proposals/{registered.pk}/").status_code == 200


@pytest.mark.parametrize(
    "payload,fragment",
    [
        ({"assignments": [{"department": 99999, "role": "lead"}]}, "承办单位不存在"),
        ({"assignments": [{"department": "DEPT", "role": "co"}]}, None),
        ({"assignments": []}, "至少选择一个"),
    ],
)
def test_bad_assign_is_400_and_changes_nothing(api, registered, staff_user, payload, fragment):
    response = api(staff_user).post(f"/api/v1/proposals/{registered.pk}/assign/", payload, format="json")
    assert response.status_code == 400
    if fragment:
        assert fragment in response.json()["detail"]
    assert Proposal.objects.get(pk=registered.pk).state == "registered" and not Assignment.objects.exists()


def test_member_and_department_cannot_assign(api, registered, member, department_user, department):
    payload = {"assignments": [{"department": department.pk, "role": "lead"}]}
    assert (
        api(member.user)
        .post(f"/api/v1/proposals/{registered.pk}/assign/", payload, format="json")
        .status_code
        == 403
    )
    # the department does not even see an unassigned proposal
    assert (
        api(department_user)
        .post(f"/api/v1/proposals/{registered.pk}/assign/", payload, format="json")
        .status_code
        == 404
    )


def test_department_flow_over_api(api, registered, staff_user, department, department_user, member):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get()
    client = api(department_user)
    early = client.post(
        f"/api/v1/assignments/{task.pk}/reply/", {"result": "A", "content": "x"}, format="json"
    )
    assert early.status_code == 400 and "请先签收" in early.json()["detail"]
    assert client.post(f"/api/v1/assignments/{task.pk}/accept/").json()["state"] == "accepted"
    bad = client.post(f"/api/v1/assignments/{task.pk}/reply/", {"result": "E", "content": "x"}, format="json")
    # `result` is a typed enum in the schema: a value outside it is a field error on `result`.
    assert bad.status_code == 400 and "不是合法选项" in bad.json()["result"][0]
    contact = client.post(
        f"/api/v1/assignments/{task.pk}/contacts/",
        {"date": str(timezone.localdate()), "way": "phone", "summary": "电话沟通办理思路"},
        format="json",
    )
    assert contact.status_code == 200 and contact.json()["contacts"][0]["way_display"] == "电话"
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter")
    replied = client.post(
        f"/api/v1/assignments/{task.pk}/reply/",
        {"result": "A", "content": "已经解决", "signer": "王局长", "letter": letter},
        format="multipart",
    )
    assert replied.status_code == 200, replied.json()
    assert replied.json()["state"] == "replied" and replied.json()["reply"]["result"] == "A"
    proposal = api(member.user).get(f"/api/v1/proposals/{registered.pk}/").json()
    assert proposal["state"] == "replied" and proposal["assignments"][0]["reply"]["content"] == "已经解决"
    rated = api(member.user).post(
        f"/api/v1/proposals/{registered.pk}/evaluate/", {"satisfaction": "basically_satisfied"}, format="json"
    )
    assert rated.status_code == 200 and rated.json()["state"] == "closed"


def test_member_rating_someone_elses_proposal_is_refused(
    api, registered, staff_user, department, department_user, other_member
):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    response = api(other_member.user).post(
        f"/api/v1/proposals/{registered.pk}/evaluate/", {"satisfaction": "satisfied"}, format="json"
    )
    assert response.status_code == 404
    Proposal.objects.filter(pk=registered.pk).update(is_published=True)
    response = api(other_member.user).post(
        f"/api/v1/proposals/{registered.pk}/evaluate/", {"satisfaction": "satisfied"}, format="json"
    )
    assert response.status_code == 403


def test_department_cannot_resolve_its_own_adjustment(
    api, registered, staff_user, department, department_user, other_department
):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get()
    client = api(department_user)
    assert (
        client.post(
            f"/api/v1/assignments/{task.pk}/request-adjustment/", {"reason": "非本单位职责"}, format="json"
        ).status_code
        == 200
    )
    response = client.post(
        f"/api/v1/assignments/{task.pk}/resolve-adjustment/",
        {"approve": True, "department": other_department.pk},
        format="json",
    )
    assert response.status_code == 403
    assert Assignment.objects.get(pk=task.pk).state == "adjustment_requested"
    response = api(staff_user).post(
        f"/api/v1/assignments/{task.pk}/resolve-adjustment/",
        {"approve": True, "department": other_department.pk},
        format="json",
    )
    # The answer is the new assignment, not the cancelled original (issue 14).
    assert response.status_code == 200
    new = response.json()
    assert new["id"] != task.pk and new["department"] == other_department.pk and new["state"] == "pending"
    assert Assignment.objects.get(pk=task.pk).state == "cancelled"


def test_extension_past_cap_is_400(api, registered, staff_user, department, department_user):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get()
    too_late = timezone.localdate() + timedelta(days=400)
    response = api(department_user).post(
        f"/api/v1/assignments/{task.pk}/request-extension/",
        {"reason": "复杂", "due_date": str(too_late)},
        format="json",
    )
    assert response.status_code == 400 and "不能晚于" in response.json()["detail"]
    assert Assignment.objects.get(pk=task.pk).extension_state == ""


def test_overdue_filters(api, registered, member, staff_user, department, department_user, plenary):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    Assignment.objects.update(due_date=timezone.localdate() - timedelta(days=2))
    on_time = _registered(member, staff_user, plenary, title="另一件")
    services.proposal_assign(
        actor=staff_user, proposal=on_time, assignments=[{"department": department.pk, "role": "lead"}]
    )
    late = api(department_user).get("/api/v1/assignments/?overdue=true").json()
    assert [a["proposal"] for a in late["results"]] == [registered.pk]
    assert late["results"][0]["is_overdue"] is True and late["results"][0]["days_left"] == -2
    assert [p["id"] for p in api(staff_user).get("/api/v1/proposals/?overdue=true").json()["results"]] == [
        registered.pk
    ]
    assert api(staff_user).get(f"/api/v1/proposals/?department={department.pk}").json()["count"] == 2


def test_mark_key_supervise_publish(api, registered, staff_user, leader_user, department, member):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    staff = api(staff_user)
    assert staff.post(
        f"/api/v1/proposals/{registered.pk}/mark-key/", {"leader": leader_user.pk}, format="json"
    ).json()["is_key"]
    assert staff.get("/api/v1/proposals/?key=true").json()["count"] == 1
    response = api(leader_user).post(
        f"/api/v1/proposals/{registered.pk}/supervise/", {"kind": "urge", "note": "请加快"}, format="json"
    )
    assert response.status_code == 200
    assert api(member.user).post(f"/api/v1/proposals/{registered.pk}/publish/").status_code == 403
    assert staff.post(f"/api/v1/proposals/{registered.pk}/publish/").json()["is_published"] is True
    assert staff.post(f"/api/v1/proposals/{registered.pk}/unpublish/").json()["is_published"] is False


def test_assignment_list_query_count_does_not_grow(api, member, staff_user, plenary):
    dept = Department.objects.create(name="市水务局", code="SWJ")
    clerk = make_user("swj1", Role.DEPARTMENT, department=dept)

    def seed(n):
        for i in range(n):
            p = _registered(member, staff_user, plenary, title=f"水务{i}-{Proposal.objects.count()}")
            services.proposal_assign(
                actor=staff_user, proposal=p, assignments=[{"department": dept.pk, "role": "lead"}]
            )
            task = Assignment.objects.get(proposal=p)
            services.assignment_accept(actor=clerk, assignment=task)
            services.assignment_add_contact(
                actor=clerk, assignment=task, date=timezone.localdate(), way="phone", summary="沟通"
            )

    client = api(clerk)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/assignments/?page_size=200").status_code == 200
        return len(ctx)

    seed(2)
    small = count()
    seed(15)
    assert count() == small
