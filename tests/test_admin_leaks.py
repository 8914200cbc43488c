"""The admin follows the selectors' visibility rules (issue 12, Leaks): members' drafts are theirs until
submitted (not in the admin lists, not named in the audit log), and leaders read the roster and the
accounts without phone, e-mail and the rest of a member's private file."""

import pytest
from django.contrib.auth.models import AnonymousUser

from proposals import services as proposal_services
from proposals.models import Proposal, ProposalCategory
from sqyy import services as sqyy_services
from zhengxie.notifications.models import ChannelDelivery, Notification
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "关于草稿中尚未提交的秘密建议"
REPORT_TITLE = "草稿社情民意：尚未报送的情况"


@pytest.fixture
def drafts(member, plenary):
    proposal = proposal_services.proposal_create(
        actor=member.user,
        title=DRAFT_TITLE,
        content="草稿正文",
        category=ProposalCategory.objects.get(name="经济"),
        during_plenary=True,
        plenary=plenary,
    )
    report = sqyy_services.opinion_report_create(actor=member.user, title=REPORT_TITLE, content="草稿内容")
    return proposal, report


@pytest.fixture(params=["staff_user", "leader_user"])
def office_client(request, client):
    client.force_login(request.getfixturevalue(request.param))
    return client


def test_drafts_are_not_in_the_admin_lists(office_client, drafts):
    proposal, report = drafts
    for url in ("/admin/proposals/proposal/", "/admin/sqyy/opinionreport/"):
        page = office_client.get(url)
        assert page.status_code == 200
        assert DRAFT_TITLE not in page.content.decode() and REPORT_TITLE not in page.content.decode()
    assert DRAFT_TITLE not in office_client.get("/admin/proposals/proposal/", {"q": "秘密"}).content.decode()
    # the change page does not exist for them (the admin sends them back to its index)
    assert office_client.get(f"/admin/proposals/proposal/{proposal.pk}/change/").status_code == 302
    assert office_client.get(f"/admin/sqyy/opinionreport/{report.pk}/change/").status_code == 302


def test_submitted_proposal_appears_in_the_admin(client, staff_user, member, drafts):
    proposal, _report = drafts
    proposal_services.proposal_submit(actor=member.user, proposal=proposal)
    client.force_login(staff_user)
    assert DRAFT_TITLE in client.get("/admin/proposals/proposal/").content.decode()
    assert client.get(f"/admin/proposals/proposal/{proposal.pk}/change/").status_code == 200


def test_audit_log_does_not_name_a_draft(office_client, drafts, member):
    proposal, report = drafts
    entries = AuditEntry.objects.filter(object_id__in=[str(proposal.pk), str(report.pk)])
    assert entries.filter(object_repr=DRAFT_TITLE).exists()  # the row is there, the name is not shown
    page = office_client.get("/admin/workflow/auditentry/")
    listing = page.content.decode()
    assert {e.pk for e in page.context["cl"].result_list} >= set(entries.values_list("pk", flat=True))
    assert DRAFT_TITLE not in listing and REPORT_TITLE not in listing
    searched = office_client.get("/admin/workflow/auditentry/", {"q": "秘密"})
    assert searched.context["cl"].result_count == 0
    # nor by a hand-made lookup on the stored name
    assert (
        office_client.get("/admin/workflow/auditentry/", {"object_repr__icontains": "秘密"}).status_code
        == 400
    )
    entry = entries.get(action="proposal_create")
    detail = office_client.get(f"/admin/workflow/auditentry/{entry.pk}/change/").content.decode()
    assert DRAFT_TITLE not in detail and "提交前仅本人可见" in detail


def test_audit_log_names_it_once_submitted(client, staff_user, member, drafts):
    proposal, _report = drafts
    proposal_services.proposal_submit(actor=member.user, proposal=proposal)
    client.force_login(staff_user)
    assert DRAFT_TITLE in client.get("/admin/workflow/auditentry/").content.decode()


def test_the_rule_in_one_place(staff_user, member, drafts):
    from zhengxie.workflow.selectors import audit_entries_for

    proposal, _report = drafts
    seen = {e.action: e.is_private for e in audit_entries_for(staff_user).filter(object_id=str(proposal.pk))}
    assert seen["proposal_create"] is True
    mine = audit_entries_for(member.user).filter(action="proposal_create", object_id=str(proposal.pk)).get()
    assert mine.is_private is False and mine.shown_repr == DRAFT_TITLE
    assert audit_entries_for(AnonymousUser()).filter(is_private=True).exists()


def test_leader_reads_accounts_without_phone_or_email(client, leader_user, staff_user, member):
    member.user.phone, member.user.email = "13911112222", "secret-mail@example.com"
    member.user.save()
    client.force_login(leader_user)
    listing = client.get("/admin/accounts/user/").content.decode()
    assert member.user.username in listing and "13911112222" not in listing
    by_phone = client.get("/admin/accounts/user/", {"q": "13911112222"}).content.decode()
    assert member.user.username not in by_phone  # searching a phone number must not find its owner
    by_mail = client.get("/admin/accounts/user/", {"q": "secret-mail"}).content.decode()
    assert member.user.username not in by_mail
    assert client.get("/admin/accounts/user/", {"phone__startswith": "139"}).status_code == 400
    assert client.get("/admin/accounts/user/", {"email__icontains": "secret"}).status_code == 400
    detail = client.get(f"/admin/accounts/user/{member.user.pk}/change/").content.decode()
    assert "13911112222" not in detail and "secret-mail@example.com" not in detail
    client.force_login(staff_user)
    assert "13911112222" in client.get("/admin/accounts/user/").content.decode()
    assert member.user.username in client.get("/admin/accounts/user/", {"q": "13911112222"}).content.decode()


def test_leader_reads_only_the_roster_entry_of_members(client, leader_user, member, other_member):
    member.employer, member.status_reason = "某某保密单位", "身体原因"
    member.save()
    client.force_login(leader_user)
    listing = client.get("/admin/members/member/").content.decode()
    assert member.name in listing and member.mobile not in listing
    # no filter or search on a private field: it would tell its value
    assert "status__exact" not in listing and "committees__id__exact" not in listing
    assert member.name not in client.get("/admin/members/member/", {"q": member.mobile}).content.decode()
    assert member.name not in client.get("/admin/members/member/", {"q": "保密单位"}).content.decode()
    for lookup in ({"status__exact": "resigned"}, {"mobile__startswith": "139"}, {"term__id__exact": 1}):
        assert client.get("/admin/members/member/", lookup).status_code == 400  # refused, not applied
    detail = client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    for private in (member.mobile, member.email, "某某保密单位", "身体原因"):
        assert private not in detail
    assert member.name in detail


def test_staff_keep_the_whole_roster(client, staff_user, member):
    client.force_login(staff_user)
    listing = client.get("/admin/members/member/").content.decode()
    assert member.mobile in listing and "status__exact" in listing
    assert member.name in client.get("/admin/members/member/", {"q": member.mobile}).content.decode()


def test_channel_deliveries_carry_addresses_so_leaders_do_not_see_them(
    client, leader_user, staff_user, member
):
    notification = Notification.objects.create(recipient=member.user, title="测试通知")
    ChannelDelivery.objects.create(notification=notification, channel="sms", address="13955556666")
    client.force_login(leader_user)
    assert client.get("/admin/notifications/channeldelivery/").status_code == 403
    assert "13955556666" not in client.get("/admin/").content.decode()
    client.force_login(staff_user)
    assert "13955556666" in client.get("/admin/notifications/channeldelivery/").content.decode()


def test_proposal_register_export_leaves_drafts_out(client, staff_user, drafts):
    from io import BytesIO

    from openpyxl import load_workbook

    proposal, _report = drafts
    client.force_login(staff_user)
    response = client.post(
        "/admin/proposals/proposal/export/",
        {
            "format": "0",
            "export_items": [proposal.pk],
            "resource": "0",
            "proposalregisterresource_title": "on",
            "proposalregisterresource_number": "on",
        },
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert DRAFT_TITLE not in str([[c.value for c in row] for row in book.active.iter_rows()])
    assert Proposal.objects.filter(title=DRAFT_TITLE).exists()
