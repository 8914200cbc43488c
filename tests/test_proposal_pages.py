"""Server-rendered proposal pages: the member site (drafting, co-signing, rating) and the staff review."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Plenary
from proposals import services
from proposals.models import Assignment, Cosigner, Evaluation, Proposal, ProposalCategory, RejectionReason
from zhengxie.workflow.models import HandlingPolicy

pytestmark = pytest.mark.django_db
State = Proposal.State


def _unmarked(text: str) -> str:
    return re.sub(r"</?mark[^>]*>", "", text)


def html(response) -> str:
    body = response.content.decode()
    assert "{#" not in body and "{%" not in body, "template comment or tag leaked into the page"
    return body


@pytest.fixture
def plenary(term):
    """The plenary members write in: still open (closed ones are no longer offered on the form)."""
    today = timezone.localdate()
    return Plenary.objects.create(
        term=term, number=2, start_date=today - timedelta(days=1), end_date=today + timedelta(days=3)
    )


@pytest.fixture
def economy():
    return ProposalCategory.objects.get(name="经济")


@pytest.fixture
def make_draft(member, plenary, economy):
    def make(actor_member=None, title="关于加快城区停车设施建设的建议", **extra):
        who = actor_member or member
        arguments = {
            "title": title,
            "content": "情况：停车难。建议：建设立体停车场。",
            "category": economy,
            "during_plenary": True,
            "plenary": plenary,
        }
        arguments.update(extra)
        return services.proposal_create(actor=who.user, **arguments)

    return make


@pytest.fixture
def draft(make_draft):
    return make_draft()


@pytest.fixture
def submitted(draft, member):
    return services.proposal_submit(actor=member.user, proposal=draft)


@pytest.fixture
def joint_pending(make_draft, member, other_member):
    p = make_draft(title="关于推进垃圾分类的建议", kind="joint", cosigners=[other_member.pk])
    return services.proposal_submit(actor=member.user, proposal=p)


@pytest.fixture
def registered(joint_pending, other_member, staff_user):
    services.proposal_cosign(actor=other_member.user, proposal=joint_pending, agree=True)
    return services.proposal_register(actor=staff_user, proposal=joint_pending)


@pytest.fixture
def replied(registered, staff_user, department, department_user):
    services.proposal_assign(
        actor=staff_user, proposal=registered, assignments=[{"department": department.pk, "role": "lead"}]
    )
    lead = Assignment.objects.get(proposal=registered)
    services.assignment_accept(actor=department_user, assignment=lead)
    services.assignment_add_contact(
        actor=department_user, assignment=lead, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(
        actor=department_user, assignment=lead, result="B", content="已列入明年城建计划，逐步建设。"
    )
    return Proposal.objects.get(pk=registered.pk)


def form_data(plenary, economy, /, **extra):
    data = {
        "title": "关于完善社区养老服务的建议",
        "category": str(economy.pk),
        "kind": "individual",
        "organization": "",
        "during_plenary": "1",
        "plenary": str(plenary.pk),
        "content": "情况、分析与建议。",
        "action": "save",
    }
    data.update(extra)
    return data


# --- roles -----------------------------------------------------------------------------------------

MEMBER_PAGES = ["/proposals/", "/proposals/new/"]
STAFF_PAGES = ["/workbench/proposals/", "/workbench/proposals/all/"]


@pytest.mark.parametrize("url", MEMBER_PAGES)
@pytest.mark.parametrize("who", ["staff_user", "leader_user", "department_user"])
def test_member_pages_refuse_other_roles(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", STAFF_PAGES)
@pytest.mark.parametrize("who", ["member_user", "department_user"])
def test_staff_pages_refuse_other_roles(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", MEMBER_PAGES + STAFF_PAGES + ["/proposals/published/"])
def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_published_page_refuses_departments(client, department_user):
    client.force_login(department_user)
    assert client.get("/proposals/published/").status_code == 403


def test_another_members_draft_is_404_everywhere(client, draft, other_member):
    client.force_login(other_member.user)
    for url in (f"/proposals/{draft.pk}/", f"/proposals/{draft.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/proposals/{draft.pk}/submit/").status_code == 404
    assert client.post(f"/proposals/{draft.pk}/withdraw/").status_code == 404
    assert Proposal.objects.get(pk=draft.pk).state == State.DRAFT


def test_staff_cannot_see_a_members_draft(client, draft, staff_user):
    client.force_login(staff_user)
    assert client.get(f"/workbench/proposals/{draft.pk}/").status_code == 404


def test_confirmed_cosigner_may_read_but_not_edit_or_withdraw(client, registered, other_member):
    client.force_login(other_member.user)
    assert client.get(f"/proposals/{registered.pk}/").status_code == 200
    assert client.get(f"/proposals/{registered.pk}/edit/").status_code == 403
    assert client.post(f"/proposals/{registered.pk}/withdraw/").status_code == 403
    assert client.post(f"/proposals/{registered.pk}/publish-opt-out/", {"opt_out": "1"}).status_code == 403
    assert not Proposal.objects.get(pk=registered.pk).publish_opt_out


def test_staff_visiting_the_member_detail_url_goes_to_the_review_page(client, submitted, staff_user):
    client.force_login(staff_user)
    response = client.get(f"/proposals/{submitted.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/workbench/proposals/{submitted.pk}/"


def test_nav_links_by_role(client, member_user, staff_user):
    client.force_login(member_user)
    body = html(client.get("/proposals/"))
    assert 'href="/proposals/">我的提案' in body and 'href="/proposals/published/">公开提案' in body
    assert "/workbench/proposals/" not in body
    client.force_login(staff_user)
    body = html(client.get("/workbench/"))
    for href in ("/workbench/proposals/", "/workbench/proposals/all/", "/workbench/handling/board/"):
        assert f'href="{href}"' in body
    assert "提案审查" in body and "督办" in body


# --- my proposals and invitations ------------------------------------------------------------------


def test_my_list_shows_mine_with_badges_and_filters_by_state(
    client, member, submitted, make_draft, other_member
):
    make_draft(title="草稿中的一件")
    make_draft(actor_member=other_member, title="别人的草稿")
    client.force_login(member.user)
    body = html(client.get("/proposals/"))
    assert "关于加快城区停车设施建设的建议" in body and "待审查" in body
    assert "草稿中的一件" in body and "草稿" in body
    assert "别人的草稿" not in body
    body = html(client.get("/proposals/?state=draft"))
    assert "草稿中的一件" in body and "关于加快城区停车设施建设的建议" not in body


def test_invitation_is_listed_and_agreeing_submits_the_proposal(client, joint_pending, other_member):
    client.force_login(other_member.user)
    body = html(client.get("/proposals/"))
    assert "联名邀请" in body and joint_pending.title in body and "同意联名" in body
    response = client.post(
        f"/proposals/{joint_pending.pk}/cosign/", {"agree": "1", "next": "list"}, follow=True
    )
    assert "已同意联名" in html(response)
    p = Proposal.objects.get(pk=joint_pending.pk)
    assert p.state == State.SUBMITTED
    assert p.cosigners.get().status == Cosigner.Status.CONFIRMED
    # now it is also listed among the co-signer's own proposals
    assert joint_pending.title in html(client.get("/proposals/?state=submitted"))


def test_declining_from_the_detail_page(client, joint_pending, other_member):
    client.force_login(other_member.user)
    body = html(client.get(f"/proposals/{joint_pending.pk}/"))
    assert 'data-testid="cosign-actions"' in body
    response = client.post(f"/proposals/{joint_pending.pk}/cosign/", {"agree": "0"})
    assert response.status_code == 302 and response["Location"] == "/proposals/"
    p = Proposal.objects.get(pk=joint_pending.pk)
    assert p.state == State.SUBMITTED and p.kind == "individual"


def test_answering_twice_shows_the_message(client, registered, other_member):
    client.force_login(other_member.user)
    response = client.post(f"/proposals/{registered.pk}/cosign/", {"agree": "1"}, follow=True)
    assert "不能确认联名" in html(response)


# --- the form ----------------------------------------------------------------------------------------


def test_form_shows_limits_categories_plenaries_and_cosigners(client, member, other_member, plenary):
    HandlingPolicy.objects.create(proposal_title_max=30, proposal_content_max=1800)
    client.force_login(member.user)
    body = html(client.get("/proposals/new/"))
    assert 'data-count-max="30"' in body and "/ 30 字" in body and "/ 1800 字" in body
    assert "生态文明" in body and "第十五届第二次会议" in body
    assert other_member.name in body
    # the proposer is not offered as a co-signer
    assert f'id="cosigner-{member.pk}"' not in body
    assert f'id="cosigner-{other_member.pk}"' in body
    assert "js/proposal_form.js" in body
    assert "保存草稿" in body and "提交" in body


def test_save_draft_creates_it_and_the_detail_shows_history(client, member, plenary, economy):
    client.force_login(member.user)
    response = client.post("/proposals/new/", form_data(plenary, economy))
    p = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/proposals/{p.pk}/"
    assert p.state == State.DRAFT and p.proposer == member and p.plenary == plenary
    body = html(client.get(response["Location"]))
    assert "草稿已保存" in body
    assert 'data-testid="history"' in body and "创建草稿" in body
    assert "修改" in body and "撤回" in body


def test_submit_a_joint_proposal_from_the_form_with_an_attachment(
    client, member, other_member, plenary, economy
):
    client.force_login(member.user)
    data = form_data(plenary, economy, kind="joint", cosigners=[str(other_member.pk)], action="submit")
    data["attachment"] = SimpleUploadedFile(
        "调研报告.pdf", b"%PDF-1.4 report", content_type="application/pdf"
    )
    response = client.post("/proposals/new/", data)
    p = Proposal.objects.get()
    assert response.status_code == 302
    assert p.state == State.AWAITING_COSIGNERS and p.kind == "joint"
    assert list(p.cosigners.values_list("member_id", "status")) == [(other_member.pk, "pending")]
    attachment = p.attachments.get()
    assert attachment.name == "调研报告.pdf"
    body = html(client.get(f"/proposals/{p.pk}/"))
    assert "正在等待联名人确认" in body and "调研报告.pdf" in body and "待确认" in body
    download = client.get(f"/proposals/{p.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 report"


def test_attachment_of_another_members_draft_is_404(client, draft, member, other_member):
    attachment = services.proposal_attachment_add(
        actor=member.user, proposal=draft, uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF x")
    )
    client.force_login(other_member.user)
    assert client.get(f"/proposals/{draft.pk}/attachments/{attachment.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"title": "长" * 51}, "案由不能超过50字（现有51字）"),
        ({"kind": "joint"}, "联名提案至少需要一位联名人"),
        ({"kind": "collective"}, "集体提案须填写提案单位名称"),
        ({"plenary": ""}, "大会期间提出的提案须选择会次"),
        ({"action": "submit", "content": ""}, "提交前请填写提案正文"),
        ({"attachment": "exe"}, "不支持的附件类型"),
        ({"title": ""}, "案由不能为空"),
    ],
)
def test_bad_input_shows_the_message_keeps_the_input_and_changes_nothing(
    client, member, plenary, economy, extra, message
):
    client.force_login(member.user)
    data = form_data(plenary, economy, **extra)
    if data.get("attachment") == "exe":
        data["attachment"] = SimpleUploadedFile("tool.exe", b"MZ")
    response = client.post("/proposals/new/", data)
    body = html(response)
    assert response.status_code == 200
    assert message in body
    assert "情况、分析与建议。" in body or extra.get("content") == ""
    if extra.get("title"):
        assert extra["title"] in body
    assert Proposal.objects.count() == 0


def test_edit_a_returned_proposal_and_resubmit(client, submitted, member, staff_user, plenary, economy):
    services.proposal_return(actor=staff_user, proposal=submitted, reason="请补充具体建议")
    client.force_login(member.user)
    body = html(client.get(f"/proposals/{submitted.pk}/edit/"))
    assert "请补充具体建议" in body and submitted.title in body
    response = client.post(
        f"/proposals/{submitted.pk}/edit/",
        form_data(
            plenary, economy, title=submitted.title, content="补充：建设三处立体停车场。", action="submit"
        ),
    )
    assert response.status_code == 302
    p = Proposal.objects.get(pk=submitted.pk)
    assert p.state == State.SUBMITTED and p.content == "补充：建设三处立体停车场。"
    assert [t.comment for t in services_history(p)][-1] == "重新提交"


def services_history(p):
    from proposals.selectors import proposal_history

    return list(proposal_history(p))


def test_bad_edit_changes_nothing(client, draft, member, plenary, economy):
    client.force_login(member.user)
    response = client.post(f"/proposals/{draft.pk}/edit/", form_data(plenary, economy, title="新" * 60))
    assert response.status_code == 200 and "案由不能超过50字" in html(response)
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_submitted_proposal_cannot_be_edited(client, submitted, member):
    client.force_login(member.user)
    response = client.get(f"/proposals/{submitted.pk}/edit/", follow=True)
    assert "不能修改" in html(response)
    assert response.redirect_chain[-1][0] == f"/proposals/{submitted.pk}/"


def test_submit_and_withdraw_buttons(client, draft, member):
    client.force_login(member.user)
    response = client.post(f"/proposals/{draft.pk}/submit/", follow=True)
    assert "等待提案委员会审查" in html(response)
    assert Proposal.objects.get(pk=draft.pk).state == State.SUBMITTED
    response = client.post(f"/proposals/{draft.pk}/withdraw/", follow=True)
    assert "提案已撤回" in html(response)
    assert Proposal.objects.get(pk=draft.pk).state == State.WITHDRAWN
    # a second withdrawal is refused with the service's message
    response = client.post(f"/proposals/{draft.pk}/withdraw/", follow=True)
    assert "不能撤回" in html(response)


# --- detail, rating, publication ---------------------------------------------------------------------


def test_registered_detail_shows_number_cosigners_and_history(client, registered, member):
    client.force_login(member.user)
    body = html(client.get(f"/proposals/{registered.pk}/"))
    assert "十五届二次会议第0001号" in body
    assert "赵委员" in body and "已确认" in body
    assert "立案" in body and "提交" in body  # history rows
    assert 'data-testid="publish-opt-out"' in body and "申请不公开" in body


def test_publish_opt_out_toggle(client, registered, member):
    client.force_login(member.user)
    client.post(f"/proposals/{registered.pk}/publish-opt-out/", {"opt_out": "1"})
    assert Proposal.objects.get(pk=registered.pk).publish_opt_out
    body = html(client.get(f"/proposals/{registered.pk}/"))
    assert "撤销不公开申请" in body
    client.post(f"/proposals/{registered.pk}/publish-opt-out/", {"opt_out": "0"})
    assert not Proposal.objects.get(pk=registered.pk).publish_opt_out


def test_rating_form_for_proposer_and_cosigner_of_a_replied_proposal(
    client, replied, member, other_member, make_member
):
    client.force_login(member.user)
    body = html(client.get(f"/proposals/{replied.pk}/"))
    assert 'data-testid="evaluation-form"' in body and "已列入明年城建计划" in body
    # no choice: message and nothing recorded
    response = client.post(f"/proposals/{replied.pk}/evaluate/", {"comment": "好"})
    assert response.status_code == 400 and "请选择满意度" in html(response)
    assert not Evaluation.objects.exists()
    # the co-signer rates first (recorded, does not decide)
    client.force_login(other_member.user)
    client.post(f"/proposals/{replied.pk}/evaluate/", {"satisfaction": "satisfied"})
    assert Proposal.objects.get(pk=replied.pk).state == State.REPLIED
    assert 'data-testid="evaluation-form"' not in html(client.get(f"/proposals/{replied.pk}/"))
    client.force_login(member.user)
    client.post(
        f"/proposals/{replied.pk}/evaluate/", {"satisfaction": "basically_satisfied", "comment": "基本落实"}
    )
    assert Proposal.objects.get(pk=replied.pk).state == State.CLOSED
    # an unrelated member cannot see it at all (not published)
    client.force_login(make_member("钱委员").user)
    assert client.post(f"/proposals/{replied.pk}/evaluate/", {"satisfaction": "satisfied"}).status_code == 404


def test_published_list_shows_reply_but_never_contact_details(
    client, replied, staff_user, make_member, member
):
    services.proposal_publish(actor=staff_user, proposal=replied)
    reader = make_member("孙委员")
    client.force_login(reader.user)
    body = html(client.get("/proposals/published/"))
    assert replied.title in body and "十五届二次会议第0001号" in body
    assert "已列入明年城建计划" in body
    assert member.mobile not in body and member.email not in body
    # a reader of a published proposal sees it, without the rating form
    detail = html(client.get(f"/proposals/{replied.pk}/"))
    assert replied.title in detail and 'data-testid="history"' in detail
    assert 'data-testid="evaluation-form"' not in detail
    assert member.mobile not in detail


def test_published_list_hides_unpublished(client, registered, make_member):
    client.force_login(make_member("孙委员").user)
    assert registered.title not in html(client.get("/proposals/published/"))


# --- staff review ---------------------------------------------------------------------------------


def test_queue_lists_and_filters(client, staff_user, submitted, joint_pending, make_draft, economy):
    make_draft(title="还在草稿")
    client.force_login(staff_user)
    body = html(client.get("/workbench/proposals/"))
    assert submitted.title in body and joint_pending.title in body and "还在草稿" not in body
    assert "批量立案" in body
    body = html(client.get("/workbench/proposals/?state=awaiting_cosigners"))
    assert joint_pending.title in body and submitted.title not in body
    body = html(client.get("/workbench/proposals/?q=垃圾分类"))
    assert '<mark class="search-hit">垃圾分类</mark>' in body  # the matched word is marked in the title
    assert _unmarked(joint_pending.title) in _unmarked(body) and submitted.title not in body
    body = html(client.get("/workbench/proposals/?q=李委员&kind=joint"))
    assert joint_pending.title in body and submitted.title not in body


def test_leader_reads_but_cannot_act(client, leader_user, submitted):
    client.force_login(leader_user)
    assert "批量立案" not in html(client.get("/workbench/proposals/"))
    body = html(client.get(f"/workbench/proposals/{submitted.pk}/"))
    assert "仅可查阅" in body and 'action="/workbench/proposals/' not in body
    for action in ("register", "return", "reject", "merge"):
        assert (
            client.post(f"/workbench/proposals/{submitted.pk}/{action}/", {"reason": "x"}).status_code == 403
        )
    assert client.post("/workbench/proposals/register-bulk/", {"ids": [submitted.pk]}).status_code == 403
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_member_cannot_post_review_actions(client, member_user, submitted):
    client.force_login(member_user)
    assert client.post(f"/workbench/proposals/{submitted.pk}/register/").status_code == 403
    assert client.get(f"/workbench/proposals/{submitted.pk}/").status_code == 403


def test_review_page_shows_proposal_history_and_handling_panel(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.get(f"/workbench/proposals/{submitted.pk}/")
    body = html(response)
    assert submitted.title in body and 'data-testid="history"' in body and "提交" in body
    assert "proposals/staff/_handling_panel.html" in [t.name for t in response.templates]
    for label in ("立案", "退回", "不予立案", "并案"):
        assert label in body


def test_register_from_the_review_page(client, staff_user, submitted, member):
    client.force_login(staff_user)
    response = client.post(f"/workbench/proposals/{submitted.pk}/register/", follow=True)
    assert "已立案，编号：十五届二次会议第0001号" in html(response)
    assert Proposal.objects.get(pk=submitted.pk).number == "十五届二次会议第0001号"


def test_return_needs_a_reason_and_keeps_nothing_changed(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.post(f"/workbench/proposals/{submitted.pk}/return/", {"reason": "  "})
    assert response.status_code == 400 and "退回须填写理由" in html(response)
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED
    response = client.post(
        f"/workbench/proposals/{submitted.pk}/return/", {"reason": "请补充数据"}, follow=True
    )
    assert "已退回提案人修改" in html(response)
    p = Proposal.objects.get(pk=submitted.pk)
    assert p.state == State.RETURNED and p.return_reason == "请补充数据"


def test_reject_with_standard_reason_and_disposition(client, staff_user, submitted):
    reason = RejectionReason.objects.first()
    client.force_login(staff_user)
    response = client.post(f"/workbench/proposals/{submitted.pk}/reject/", {"reason": "另有说明"})
    assert response.status_code == 400 and "请选择处理方式" in html(response)
    assert "另有说明" in html(response)  # typed text kept
    response = client.post(f"/workbench/proposals/{submitted.pk}/reject/", {"disposition": "none"})
    assert response.status_code == 400 and "不予立案须说明理由" in html(response)
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED
    client.post(
        f"/workbench/proposals/{submitted.pk}/reject/",
        {"reason_code": reason.pk, "reason": "", "disposition": "letter"},
    )
    p = Proposal.objects.get(pk=submitted.pk)
    assert p.state == State.NOT_REGISTERED and p.rejection_reason == reason and p.disposition == "letter"


def test_merge_into_a_registered_proposal(client, staff_user, submitted, registered, member):
    client.force_login(staff_user)
    body = html(client.get(f"/workbench/proposals/{submitted.pk}/?merge_q=0001"))
    assert f'<option value="{registered.pk}"' in body
    # merging into something not registered is refused with the message, nothing changes
    other = services.proposal_submit(
        actor=member.user,
        proposal=services.proposal_create(
            actor=member.user,
            title="第三件",
            content="内容",
            category=submitted.category,
            plenary=submitted.plenary,
            during_plenary=True,
        ),
    )
    response = client.post(f"/workbench/proposals/{submitted.pk}/merge/", {"into": other.pk})
    assert response.status_code == 400 and "只能并入已立案的提案" in html(response)
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED
    response = client.post(
        f"/workbench/proposals/{submitted.pk}/merge/", {"into": registered.pk}, follow=True
    )
    assert "已并入提案 十五届二次会议第0001号" in html(response)
    assert Proposal.objects.get(pk=submitted.pk).merged_into_id == registered.pk


def test_bulk_register_reports_each_refusal(client, staff_user, submitted, joint_pending):
    client.force_login(staff_user)
    response = client.post(
        "/workbench/proposals/register-bulk/", {"ids": [submitted.pk, joint_pending.pk]}, follow=True
    )
    body = html(response)
    assert "已立案 1 件：十五届二次会议第0001号" in body
    assert f"《{joint_pending.title}》未立案：联名人尚未全部答复，不能立案" in body
    assert Proposal.objects.get(pk=joint_pending.pk).state == State.AWAITING_COSIGNERS
    response = client.post("/workbench/proposals/register-bulk/", {}, follow=True)
    assert "请先勾选" in html(response)


def test_all_list_filters_by_state(client, staff_user, registered, submitted):
    client.force_login(staff_user)
    body = html(client.get("/workbench/proposals/all/"))
    assert registered.title in body and submitted.title in body
    body = html(client.get("/workbench/proposals/all/?state=registered"))
    assert registered.title in body and submitted.title not in body


# --- query counts -------------------------------------------------------------------------------


def _seed(n, *, member, cosigners, plenary, economy, staff_user, register_half=True):
    for i in range(n):
        p = services.proposal_create(
            actor=member.user,
            title=f"第{i}件建议",
            content="内容",
            category=economy,
            kind="joint",
            cosigners=[c.pk for c in cosigners],
            during_plenary=True,
            plenary=plenary,
        )
        services.proposal_submit(actor=member.user, proposal=p)
        for c in cosigners:
            services.proposal_cosign(actor=c.user, proposal=p, agree=True)
        if register_half and i % 2:
            services.proposal_register(actor=staff_user, proposal=p)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/proposals/", "/workbench/proposals/", "/workbench/proposals/all/"])
def test_list_query_counts_do_not_grow_with_rows(
    client, url, member, make_member, plenary, economy, staff_user
):
    cosigners = [make_member("周委员"), make_member("吴委员")]
    viewer = member.user if url == "/proposals/" else staff_user
    client.force_login(viewer)
    _seed(2, member=member, cosigners=cosigners, plenary=plenary, economy=economy, staff_user=staff_user)
    few = _count(client, url)
    _seed(18, member=member, cosigners=cosigners, plenary=plenary, economy=economy, staff_user=staff_user)
    many = _count(client, url)
    assert html(client.get(url)).count("第1") >= 1
    assert many == few, (few, many)


def test_pending_invitations_query_count_does_not_grow(client, member, make_member, plenary, economy):
    invitee = make_member("郑委员")
    client.force_login(invitee.user)

    def invite(n):
        for i in range(n):
            p = services.proposal_create(
                actor=member.user,
                title=f"邀请{i}",
                content="内容",
                category=economy,
                kind="joint",
                cosigners=[invitee.pk],
                during_plenary=True,
                plenary=plenary,
            )
            services.proposal_submit(actor=member.user, proposal=p)

    invite(2)
    few = _count(client, "/proposals/")
    invite(18)
    many = _count(client, "/proposals/")
    assert many == few
    # an invitation reads what it shows (title, proposer, category), not the whole proposal and its handling
    with CaptureQueriesContext(connection) as queries:
        body = html(client.get("/proposals/"))
    assert body.count("邀请您联名") == 20 and member.name in body
    invited = next(
        q["sql"]
        for q in queries.captured_queries
        if "proposals_cosigner" in q["sql"] and "pending" in q["sql"]
    )
    assert '"content"' not in invited and invited.count(" JOIN ") <= 3


def test_cosigners_are_a_checkbox_list_with_a_filter_and_submit_asks_first(
    client, member, other_member, plenary
):
    client.force_login(member.user)
    body = html(client.get("/proposals/new/"))
    assert "<select multiple" not in body and "Ctrl" not in body
    assert re.search(rf'type="checkbox" name="cosigners" value="{other_member.pk}"', body)
    assert 'data-filter-checks="cosigner-list"' in body
    assert re.search(r'value="submit"[^>]*data-confirm="[^"]+确定提交吗？"', body)
    assert "onclick" not in body and "<script>" not in body


def test_closed_plenaries_are_not_offered_nor_accepted(client, member, term, economy):
    today = timezone.localdate()
    closed = Plenary.objects.create(
        term=term, number=1, start_date=date(2024, 1, 8), end_date=today - timedelta(days=1)
    )
    client.force_login(member.user)
    body = html(client.get("/proposals/new/"))
    assert "第十五届第一次会议" not in body
    assert "目前没有未闭幕的会次" in body
    assert re.search(r'name="during_plenary"[^>]*value="0"[^>]*checked', body)
    response = client.post("/proposals/new/", form_data(closed, economy))
    assert response.status_code == 200
    assert "已闭幕" in html(response)
    assert not Proposal.objects.exists()
    opening = Plenary.objects.create(
        term=term, number=2, start_date=today + timedelta(days=30), end_date=today + timedelta(days=34)
    )
    body = html(client.get("/proposals/new/"))
    assert "第十五届第二次会议" in body and "第十五届第一次会议" not in body
    assert client.post("/proposals/new/", form_data(opening, economy)).status_code == 302


def test_a_draft_keeps_its_closed_plenary_when_edited(client, member, term, economy):
    today = timezone.localdate()
    closed = Plenary.objects.create(
        term=term, number=1, start_date=date(2024, 1, 8), end_date=today - timedelta(days=1)
    )
    draft = services.proposal_create(
        actor=member.user,
        title="关于停车的建议",
        content="建议。",
        category=economy,
        during_plenary=True,
        plenary=closed,
    )
    client.force_login(member.user)
    assert "第十五届第一次会议" in html(client.get(f"/proposals/{draft.pk}/edit/"))
