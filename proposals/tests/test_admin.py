"""Proposal admin: the actions call the services; the changelist stays constant in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from proposals.models import Proposal, ProposalCategory

pytestmark = pytest.mark.django_db
URL = "/admin/proposals/proposal/"


@pytest.fixture
def submitted_many(member, plenary):
    category = ProposalCategory.objects.get(name="社会")

    def make(n):
        out = []
        for i in range(n):
            p = services.proposal_create(
                actor=member.user,
                title=f"提案{i}",
                content="建议",
                category=category,
                during_plenary=True,
                plenary=plenary,
            )
            out.append(services.proposal_submit(actor=member.user, proposal=p))
        return out

    return make


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_register_action_numbers_in_order(staff_client, submitted_many):
    proposals = submitted_many(3)
    response = staff_client.post(
        URL, {"action": "register_selected", "_selected_action": [p.pk for p in proposals]}, follow=True
    )
    assert "已立案 3 件" in response.content.decode()
    assert sorted(Proposal.objects.values_list("number", flat=True)) == [
        f"十五届二次会议第000{i}号" for i in (1, 2, 3)
    ]


def test_return_action_asks_for_a_reason_first(staff_client, submitted_many):
    (p,) = submitted_many(1)
    page = staff_client.post(URL, {"action": "return_selected", "_selected_action": [p.pk]})
    assert page.status_code == 200 and "退回理由" in page.content.decode()
    assert Proposal.objects.get(pk=p.pk).state == "submitted"
    empty = staff_client.post(
        URL, {"action": "return_selected", "_selected_action": [p.pk], "apply": "1", "reason": ""}
    )
    assert empty.status_code == 200 and Proposal.objects.get(pk=p.pk).state == "submitted"
    staff_client.post(
        URL, {"action": "return_selected", "_selected_action": [p.pk], "apply": "1", "reason": "请补充"}
    )
    assert Proposal.objects.get(pk=p.pk).state == "returned"


def test_reject_action_with_disposition(staff_client, submitted_many):
    (p,) = submitted_many(1)
    staff_client.post(
        URL,
        {
            "action": "reject_selected",
            "_selected_action": [p.pk],
            "apply": "1",
            "reason": "缺少具体建议",
            "disposition": "letter",
        },
    )
    p.refresh_from_db()
    assert (p.state, p.disposition) == ("not_registered", "letter")


def test_leader_can_view_but_not_act(client, leader_user, submitted_many):
    (p,) = submitted_many(1)
    client.force_login(leader_user)
    assert client.get(URL).status_code == 200
    client.post(URL, {"action": "register_selected", "_selected_action": [p.pk]})
    assert Proposal.objects.get(pk=p.pk).state == "submitted"


def test_member_cannot_open_the_admin(client, member_user):
    client.force_login(member_user)
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_changelist_query_count_is_constant(staff_client, submitted_many):
    submitted_many(2)
    with CaptureQueriesContext(connection) as small:
        staff_client.get(URL)
    submitted_many(25)
    with CaptureQueriesContext(connection) as large:
        staff_client.get(URL)
    assert len(large) == len(small)
