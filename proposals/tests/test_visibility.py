"""Field-level visibility of a proposal's handling (issue 12, Leaks): which assignments and which reply
contents each role reads — in the API and on the pages alike (selectors.reply_rule decides both)."""

import pytest
from django.utils import timezone

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.accounts.models import Department, Role

pytestmark = pytest.mark.django_db

LEAD_REPLY = "主办单位答复：公交线路已于三月调整完毕"
SEP_REPLY = "分办单位甲答复：已纳入明年计划"


def _dept(code, name):
    department = Department.objects.create(name=name, code=code)
    return department, make_user(f"dept_{code.lower()}", Role.DEPARTMENT, department=department)


def _reply(task, user, content):
    services.assignment_accept(actor=user, assignment=task)
    services.assignment_add_contact(
        actor=user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=user, assignment=task, result="A", content=content)


@pytest.fixture
def people(member, other_member, make_member, staff_user, leader_user):
    return {
        "staff": staff_user,
        "leader": leader_user,
        "proposer": member.user,
        "cosigner": other_member.user,
        "other_member": make_member("钱委员").user,
    }


def _joint_registered(member, other_member, staff_user, plenary, title):
    p = services.proposal_create(
        actor=member.user,
        title=title,
        content="建议……",
        category=ProposalCategory.objects.get(name="经济"),
        kind=Proposal.Kind.JOINT,
        cosigners=[other_member],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    return services.proposal_register(actor=staff_user, proposal=p)


@pytest.fixture
def lead_case(people, member, other_member, staff_user, plenary):
    """Published while in handling (so its reply is not published), then the lead replied."""
    p = _joint_registered(member, other_member, staff_user, plenary, "关于优化公交线路的建议")
    lead, lead_user = _dept("ZJT", "市住建局")
    co, co_user = _dept("JTJ", "市交通局")
    _unrelated, unrelated_user = _dept("WHJ", "市文化局")
    services.proposal_assign(
        actor=staff_user,
        proposal=p,
        assignments=[{"department": lead.pk, "role": "lead"}, {"department": co.pk, "role": "co"}],
    )
    services.proposal_publish(actor=staff_user, proposal=p)
    _reply(Assignment.objects.get(proposal=p, department=lead), lead_user, LEAD_REPLY)
    p.refresh_from_db()
    assert p.is_published and not p.reply_published and p.state == Proposal.State.REPLIED
    users = {**people, "lead_dept": lead_user, "co_dept": co_user, "unrelated_dept": unrelated_user}
    return p, users


@pytest.fixture
def separate_case(people, member, other_member, staff_user, plenary):
    """Two 分办 units; the first replied, the second has not."""
    p = _joint_registered(member, other_member, staff_user, plenary, "关于建设社区图书馆的建议")
    first, first_user = _dept("SEP1", "市教育局")
    second, second_user = _dept("SEP2", "市民政局")
    services.proposal_assign(
        actor=staff_user,
        proposal=p,
        assignments=[
            {"department": first.pk, "role": "separate"},
            {"department": second.pk, "role": "separate"},
        ],
    )
    services.proposal_publish(actor=staff_user, proposal=p)
    _reply(Assignment.objects.get(proposal=p, department=first), first_user, SEP_REPLY)
    users = {**people, "first_separate": first_user, "second_separate": second_user}
    return p, users


def _api_view(api, user, proposal):
    response = api(user).get(f"/api/v1/proposals/{proposal.pk}/")
    if response.status_code != 200:
        return response.status_code, None
    body = response.json()
    return 200, {a["department_name"]: (a["reply"] or {}).get("content") for a in body["assignments"]}


def _page(client, user, proposal):
    """The page each role reads the proposal on: member site, workbench or its own portal task."""
    client.force_login(user)
    role = user.effective_role
    if role == Role.DEPARTMENT:
        task = Assignment.objects.filter(proposal=proposal, department_id=user.department_id).first()
        if task is None:
            return 404, ""
        response = client.get(f"/portal/assignments/{task.pk}/")
    elif role in (Role.STAFF, Role.LEADER):
        response = client.get(f"/workbench/proposals/{proposal.pk}/")
    else:
        response = client.get(f"/proposals/{proposal.pk}/")
    return response.status_code, response.content.decode()


# role -> does it read the lead's reply? (None: the proposal does not exist for it)
LEAD_CASE = {
    "staff": True,
    "leader": True,
    "proposer": True,
    "cosigner": True,
    "other_member": False,
    "lead_dept": True,
    "co_dept": True,
    "unrelated_dept": None,
}


@pytest.mark.parametrize("role,sees", LEAD_CASE.items())
def test_lead_reply_visibility_api_and_page(api, client, lead_case, role, sees):
    proposal, users = lead_case
    code, assignments = _api_view(api, users[role], proposal)
    page_code, html = _page(client, users[role], proposal)
    if sees is None:
        assert code == 404 and page_code == 404
        return
    assert code == 200 and page_code == 200
    # every reader sees who handles it, lead and co alike
    assert set(assignments) == {"市住建局", "市交通局"}
    assert (assignments["市住建局"] == LEAD_REPLY) is sees
    assert assignments["市交通局"] is None
    if not sees:
        assert assignments["市住建局"] is None
    assert (LEAD_REPLY in html) is sees


def test_reply_opens_to_every_member_once_published(api, client, lead_case, staff_user):
    proposal, users = lead_case
    services.proposal_publish(actor=staff_user, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).reply_published
    code, assignments = _api_view(api, users["other_member"], proposal)
    assert code == 200 and assignments["市住建局"] == LEAD_REPLY
    assert LEAD_REPLY in _page(client, users["other_member"], proposal)[1]
    # departments still read only what reply_rule gives them (the portal never shows a sibling's)
    assert _api_view(api, users["co_dept"], proposal)[1]["市住建局"] == LEAD_REPLY


SEPARATE_CASE = {
    "staff": True,
    "leader": True,
    "proposer": True,
    "cosigner": True,
    "other_member": False,
    "first_separate": True,
    "second_separate": False,
}


@pytest.mark.parametrize("role,sees", SEPARATE_CASE.items())
def test_separate_sibling_does_not_read_the_other_reply(api, client, separate_case, role, sees):
    proposal, users = separate_case
    code, assignments = _api_view(api, users[role], proposal)
    page_code, html = _page(client, users[role], proposal)
    assert code == 200 and page_code == 200
    assert set(assignments) == {"市教育局", "市民政局"}
    assert (assignments["市教育局"] == SEP_REPLY) is sees
    assert assignments["市民政局"] is None
    assert (SEP_REPLY in html) is sees


def test_list_uses_the_same_rule(api, lead_case, separate_case):
    _proposal, users = lead_case
    listing = api(users["other_member"]).get("/api/v1/proposals/").json()["results"]
    assert listing and LEAD_REPLY not in str(listing) and SEP_REPLY not in str(listing)
    _proposal, users = separate_case
    listing = api(users["second_separate"]).get("/api/v1/proposals/").json()["results"]
    assert len(listing) == 1 and SEP_REPLY not in str(listing)


def test_separate_sibling_cannot_download_the_other_letter(client, separate_case):
    from proposals.models import Reply

    proposal, users = separate_case
    reply = Reply.objects.get(assignment__proposal=proposal)
    mine = Assignment.objects.get(proposal=proposal, department__code="SEP2")
    client.force_login(users["second_separate"])
    assert client.get(f"/portal/assignments/{mine.pk}/replies/{reply.pk}/letter/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(api, lead_case, member, other_member, staff_user, plenary):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengxie.accounts.models import User

    _proposal, users = lead_case

    def client():  # a fresh user object, as every real request has
        return api(User.objects.get(pk=users["other_member"].pk))

    with CaptureQueriesContext(connection) as one:
        assert len(client().get("/api/v1/proposals/").json()["results"]) == 1
    more = _joint_registered(member, other_member, staff_user, plenary, "关于第二件公开提案的建议")
    services.proposal_assign(
        actor=staff_user,
        proposal=more,
        assignments=[{"department": Department.objects.get(code="ZJT").pk, "role": "lead"}],
    )
    services.proposal_publish(actor=staff_user, proposal=more)
    with CaptureQueriesContext(connection) as two:
        assert len(client().get("/api/v1/proposals/").json()["results"]) == 2
    assert len(two) == len(one), "\n".join(q["sql"][:150] for q in two.captured_queries)


def test_reply_letter_follows_the_reply_rule(api, lead_case, staff_user):
    """The 答复函 opens for exactly those who read the reply: another member only once it is published."""
    from django.core.files.base import ContentFile

    from proposals.models import Reply

    proposal, users = lead_case
    reply = Reply.objects.get(assignment__proposal=proposal)
    reply.letter.save("letter.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    url = f"/api/v1/replies/{reply.pk}/letter/"
    assert api(users["other_member"]).get(url).status_code == 404
    assert api(users["cosigner"]).get(url).status_code == 200
    assert api(users["unrelated_dept"]).get(url).status_code == 404
    services.proposal_publish(actor=staff_user, proposal=proposal)  # now the reply is published too
    assert api(users["other_member"]).get(url).status_code == 200
    assert api(users["co_dept"]).get(url).status_code == 200
