"""Every intake transition and every refusal, through the services."""

import pytest
from django.core.exceptions import PermissionDenied

from members.models import Member
from proposals import services
from proposals.models import Cosigner, NumberSequence, Proposal, ProposalCategory, RejectionReason
from proposals.selectors import access_proposal, proposal_history, proposals_visible_to
from sqyy.models import OpinionReport
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry, HandlingPolicy

State = Proposal.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def economy():
    return ProposalCategory.objects.get(name="经济")


@pytest.fixture
def draft(member, plenary, economy):
    return services.proposal_create(
        actor=member.user,
        title="关于加快城区停车设施建设的建议",
        content="情况：停车难。分析：供给不足。建议：建设立体停车场。",
        category=economy,
        during_plenary=True,
        plenary=plenary,
    )


@pytest.fixture
def submitted(draft, member):
    return services.proposal_submit(actor=member.user, proposal=draft)


def states(proposal):
    return [(t.from_state, t.to_state) for t in proposal_history(proposal)]


# --- drafting ------------------------------------------------------------------------------------


def test_member_creates_a_draft_in_the_plenary(draft, member, plenary):
    assert draft.state == State.DRAFT
    assert draft.proposer == member and draft.term == plenary.term and draft.plenary == plenary
    assert states(draft) == [("", "draft")]
    assert AuditEntry.objects.filter(
        action="proposal_create", object_id=str(draft.pk), actor=member.user
    ).exists()


def test_title_limit_comes_from_the_policy(member, plenary, economy):
    HandlingPolicy.objects.create(proposal_title_max=10)
    with pytest.raises(InvalidInput, match="案由不能超过10字"):
        services.proposal_create(
            actor=member.user,
            title="一" * 11,
            content="x",
            category=economy,
            during_plenary=True,
            plenary=plenary,
        )
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    "title,content,message",
    [("", "正文", "案由不能为空"), ("案由", "字" * 2501, "正文不能超过2500字")],
)
def test_bad_text_is_refused(member, plenary, economy, title, content, message):
    with pytest.raises(InvalidInput, match=message):
        services.proposal_create(
            actor=member.user,
            title=title,
            content=content,
            category=economy,
            during_plenary=True,
            plenary=plenary,
        )
    assert Proposal.objects.count() == 0


def test_cosigner_must_be_another_serving_member(member, other_member, make_member, plenary, economy):
    kwargs = dict(actor=member.user, title="t", content="c", category=economy, kind="joint", plenary=plenary)
    with pytest.raises(InvalidInput, match="第一提案人不能同时作为联名人"):
        services.proposal_create(cosigners=[member.pk], during_plenary=True, **kwargs)
    resigned = make_member("王已辞", status=Member.Status.RESIGNED)
    with pytest.raises(InvalidInput, match="不是在任委员"):
        services.proposal_create(cosigners=[resigned.pk], during_plenary=True, **kwargs)
    with pytest.raises(InvalidInput, match="至少需要一位联名人"):
        services.proposal_create(cosigners=[], during_plenary=True, **kwargs)
    with pytest.raises(InvalidInput, match="联名人不存在"):
        services.proposal_create(cosigners=[999999], during_plenary=True, **kwargs)
    assert Proposal.objects.count() == 0


def test_department_and_leader_cannot_draft(department_user, leader_user, plenary, economy):
    for user in (department_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.proposal_create(
                actor=user, title="t", category=economy, during_plenary=True, plenary=plenary
            )


def test_staff_enter_collective_proposals_only(staff_user, plenary, economy):
    with pytest.raises(InvalidInput, match="集体提案"):
        services.proposal_create(
            actor=staff_user, title="t", category=economy, during_plenary=True, plenary=plenary
        )
    p = services.proposal_create(
        actor=staff_user,
        title="关于发展职业教育的建议",
        content="建议……",
        category=economy,
        kind="collective",
        organization="民盟市委会",
        during_plenary=True,
        plenary=plenary,
    )
    assert p.proposer is None and p.proposer_display == "民盟市委会"
    services.proposal_submit(actor=staff_user, proposal=p)
    assert Proposal.objects.get(pk=p.pk).state == State.SUBMITTED


def test_only_the_proposer_edits_and_only_while_draft_or_returned(draft, other_member, staff_user, member):
    with pytest.raises(PermissionDenied):
        services.proposal_update(actor=other_member.user, proposal=draft, title="改")
    services.proposal_update(actor=member.user, proposal=draft, title="新案由")
    assert Proposal.objects.get(pk=draft.pk).title == "新案由"
    services.proposal_submit(actor=member.user, proposal=draft)
    with pytest.raises(TransitionNotAllowed):
        services.proposal_update(actor=member.user, proposal=draft, title="再改")
    assert Proposal.objects.get(pk=draft.pk).title == "新案由"


def test_submit_requires_content(member, plenary, economy):
    p = services.proposal_create(
        actor=member.user, title="只有案由", category=economy, during_plenary=True, plenary=plenary
    )
    with pytest.raises(InvalidInput, match="正文"):
        services.proposal_submit(actor=member.user, proposal=p)
    assert Proposal.objects.get(pk=p.pk).state == State.DRAFT


def test_attachment_type_and_size_are_checked(draft, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput, match="不支持的附件类型"):
        services.proposal_attachment_add(
            actor=member.user, proposal=draft, uploaded_file=SimpleUploadedFile("a.exe", b"MZ")
        )
    HandlingPolicy.objects.create(attachment_max_mb=1)
    with pytest.raises(InvalidInput, match="不能超过1MB"):
        services.proposal_attachment_add(
            actor=member.user,
            proposal=draft,
            uploaded_file=SimpleUploadedFile("a.pdf", b"x" * (1024 * 1024 + 1)),
        )
    att = services.proposal_attachment_add(
        actor=member.user, proposal=draft, uploaded_file=SimpleUploadedFile("调研.pdf", b"%PDF-1.4")
    )
    assert draft.attachments.get() == att and att.size == 8


# --- co-signing ----------------------------------------------------------------------------------


@pytest.fixture
def joint(member, other_member, make_member, plenary, economy):
    third = make_member("孙委员")
    p = services.proposal_create(
        actor=member.user,
        title="关于保护古树名木的建议",
        content="建议……",
        category=economy,
        kind="joint",
        cosigners=[other_member.pk, third.pk],
        during_plenary=True,
        plenary=plenary,
    )
    return services.proposal_submit(actor=member.user, proposal=p), other_member, third


def test_joint_waits_for_cosigners_and_notifies_them(joint, staff_user):
    proposal, second, third = joint
    assert proposal.state == State.AWAITING_COSIGNERS
    for m in (second, third):
        assert Notification.objects.filter(recipient=m.user, title__contains="联名邀请").exists()
    with pytest.raises(TransitionNotAllowed, match="联名人尚未全部答复"):
        services.proposal_register(actor=staff_user, proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).number == ""


def test_only_listed_cosigners_answer(joint, make_member, member):
    proposal, _, _ = joint
    stranger = make_member("路人甲")
    with pytest.raises(PermissionDenied):
        services.proposal_cosign(actor=stranger.user, proposal=proposal, agree=True)
    with pytest.raises(PermissionDenied):
        services.proposal_cosign(actor=member.user, proposal=proposal, agree=True)


def test_decline_removes_cosigner_and_tells_proposer_then_all_answered_submits(joint, member):
    proposal, second, third = joint
    services.proposal_cosign(actor=second.user, proposal=proposal, agree=True)
    assert Proposal.objects.get(pk=proposal.pk).state == State.AWAITING_COSIGNERS
    with pytest.raises(TransitionNotAllowed, match="已经答复"):
        services.proposal_cosign(actor=second.user, proposal=proposal, agree=False)
    services.proposal_cosign(actor=third.user, proposal=proposal, agree=False)
    proposal.refresh_from_db()
    assert proposal.state == State.SUBMITTED and proposal.kind == "joint"
    assert Notification.objects.filter(recipient=member.user, title__contains="孙委员谢绝联名").exists()
    statuses = dict(proposal.cosigners.values_list("member__name", "status"))
    assert statuses == {"赵委员": "confirmed", "孙委员": "declined"}
    # The one who declined no longer sees it; the one who confirmed does.
    assert not proposals_visible_to(third.user).filter(pk=proposal.pk).exists()
    assert proposals_visible_to(second.user).filter(pk=proposal.pk).exists()


def test_all_decline_makes_it_an_individual_proposal(joint):
    proposal, second, third = joint
    services.proposal_cosign(actor=second.user, proposal=proposal, agree=False)
    services.proposal_cosign(actor=third.user, proposal=proposal, agree=False)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.kind) == (State.SUBMITTED, "individual")


# --- review --------------------------------------------------------------------------------------


def test_return_requires_reason_and_resubmit_goes_back_to_review(submitted, staff_user, member):
    with pytest.raises(InvalidInput, match="退回须填写理由"):
        services.proposal_return(actor=staff_user, proposal=submitted, reason="  ")
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED
    services.proposal_return(actor=staff_user, proposal=submitted, reason="请补充具体建议")
    p = Proposal.objects.get(pk=submitted.pk)
    assert p.state == State.RETURNED and p.return_reason == "请补充具体建议"
    assert Notification.objects.filter(recipient=member.user, body__contains="请补充具体建议").exists()
    services.proposal_update(actor=member.user, proposal=p, content="补充后的建议")
    services.proposal_submit(actor=member.user, proposal=p)
    assert states(p) == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
    ]


def test_members_cannot_review(submitted, member, leader_user):
    for user in (member.user, leader_user):
        with pytest.raises(PermissionDenied):
            services.proposal_register(actor=user, proposal=submitted)
        with pytest.raises(PermissionDenied):
            services.proposal_return(actor=user, proposal=submitted, reason="x")
    assert Proposal.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_register_numbers_in_plenary_sequence_and_refuses_twice(
    submitted, staff_user, member, plenary, economy
):
    p = services.proposal_register(actor=staff_user, proposal=submitted)
    assert p.number == "十五届二次会议第0001号" and p.serial == 1 and p.registered_at is not None
    second = services.proposal_create(
        actor=member.user,
        title="第二件",
        content="建议",
        category=economy,
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=second)
    assert services.proposal_register(actor=staff_user, proposal=second).number == "十五届二次会议第0002号"
    with pytest.raises(TransitionNotAllowed):
        services.proposal_register(actor=staff_user, proposal=p)
    assert Proposal.objects.get(pk=p.pk).number == "十五届二次会议第0001号"
    assert NumberSequence.objects.get().last_serial == 2


def test_between_sessions_has_its_own_sequence(submitted, staff_user, member, term, economy):
    services.proposal_register(actor=staff_user, proposal=submitted)
    p = services.proposal_create(actor=member.user, title="平时提案", content="建议", category=economy)
    services.proposal_submit(actor=member.user, proposal=p)
    p = services.proposal_register(actor=staff_user, proposal=p)
    assert p.number == "十五届闭会期间第0001号" and p.plenary is None


def test_reject_to_opinion_report_creates_a_submitted_report(submitted, staff_user, member):
    reason = RejectionReason.objects.get(text="个人或亲属的具体问题")
    with pytest.raises(InvalidInput, match="处理方式"):
        services.proposal_reject(actor=staff_user, proposal=submitted, reason="x", disposition="burn")
    with pytest.raises(InvalidInput, match="须说明理由"):
        services.proposal_reject(actor=staff_user, proposal=submitted, reason="", disposition="none")
    assert OpinionReport.objects.count() == 0
    p = services.proposal_reject(
        actor=staff_user,
        proposal=submitted,
        reason="建议作为社情民意反映",
        reason_code=reason.pk,
        disposition="opinion_report",
    )
    assert p.state == State.NOT_REGISTERED and p.rejection_reason == reason
    report = OpinionReport.objects.get()
    assert report.state == "submitted" and report.reflector == member and report.title == p.title
    assert report.source_proposal == p
    assert Notification.objects.filter(recipient=member.user, title__contains="不予立案").exists()


def test_reject_without_report_disposition_creates_none(submitted, staff_user):
    services.proposal_reject(actor=staff_user, proposal=submitted, reason="学术讨论", disposition="letter")
    assert OpinionReport.objects.count() == 0
    assert Proposal.objects.get(pk=submitted.pk).disposition == "letter"


def test_merge_into_registered_adds_proposer_and_cosigners(joint, submitted, staff_user, member):
    joint_proposal, second, third = joint
    services.proposal_cosign(actor=second.user, proposal=joint_proposal, agree=True)
    services.proposal_cosign(actor=third.user, proposal=joint_proposal, agree=True)
    with pytest.raises(InvalidInput, match="只能并入已立案"):
        services.proposal_merge(actor=staff_user, proposal=joint_proposal, into=submitted)
    main = services.proposal_register(actor=staff_user, proposal=submitted)
    # the main proposal's proposer is the same member as the joint one's: not added twice
    services.proposal_merge(actor=staff_user, proposal=joint_proposal, into=main)
    merged = Proposal.objects.get(pk=joint_proposal.pk)
    assert merged.state == State.MERGED and merged.merged_into == main
    joined = set(main.cosigners.filter(status="confirmed").values_list("member__name", flat=True))
    assert joined == {"赵委员", "孙委员"}
    assert proposals_visible_to(third.user).filter(pk=main.pk).exists()
    with pytest.raises(TransitionNotAllowed):
        services.proposal_merge(actor=staff_user, proposal=merged, into=main)


def test_withdraw_by_proposer_only_and_not_after_registration(submitted, other_member, member, staff_user):
    with pytest.raises(PermissionDenied):
        services.proposal_withdraw(actor=other_member.user, proposal=submitted)
    services.proposal_withdraw(actor=member.user, proposal=submitted)
    assert Proposal.objects.get(pk=submitted.pk).state == State.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        services.proposal_withdraw(actor=member.user, proposal=submitted)


def test_bulk_register_reports_each_refusal(submitted, draft, staff_user, member, plenary, economy):
    other = services.proposal_create(
        actor=member.user,
        title="另一件",
        content="建议",
        category=economy,
        during_plenary=True,
        plenary=plenary,
    )
    result = services.proposals_register_bulk(actor=staff_user, proposal_ids=[submitted.pk, other.pk, 424242])
    assert [p.pk for p in result.registered] == [submitted.pk]
    assert {pk for pk, _ in result.failed} == {other.pk, 424242}


# --- visibility ----------------------------------------------------------------------------------


def test_visibility_by_role(draft, submitted, member, other_member, staff_user, leader_user, department_user):
    assert access_proposal(member.user, draft.pk) == draft
    for user in (other_member.user, department_user):
        with pytest.raises(Exception) as exc:
            access_proposal(user, draft.pk)
        assert exc.value.__class__.__name__ == "Http404"
    assert proposals_visible_to(staff_user).filter(pk=draft.pk).exists()
    assert proposals_visible_to(leader_user).filter(pk=draft.pk).exists()
    assert not proposals_visible_to(department_user).exists()


def test_staff_do_not_see_members_unsubmitted_drafts(member, staff_user, plenary, economy):
    p = services.proposal_create(
        actor=member.user, title="草稿", category=economy, during_plenary=True, plenary=plenary
    )
    assert not proposals_visible_to(staff_user).filter(pk=p.pk).exists()


def test_published_proposals_are_visible_to_every_member(submitted, staff_user, other_member):
    services.proposal_register(actor=staff_user, proposal=submitted)
    assert not proposals_visible_to(other_member.user).filter(pk=submitted.pk).exists()
    Proposal.objects.filter(pk=submitted.pk).update(is_published=True)
    assert proposals_visible_to(other_member.user).filter(pk=submitted.pk).exists()


def test_cosigners_are_ordered(joint):
    proposal, second, third = joint
    assert [c.member for c in Cosigner.objects.filter(proposal=proposal)] == [second, third]


def test_duty_records_follow_the_proposal(joint, staff_user, member):
    from members.models import DutyRecord

    proposal, second, third = joint
    services.proposal_cosign(actor=second.user, proposal=proposal, agree=True)
    services.proposal_cosign(actor=third.user, proposal=proposal, agree=True)
    submitted = DutyRecord.objects.filter(kind="proposal_submitted").order_by("id")
    assert [(r.member_id, str(r.share)) for r in submitted] == [
        (member.pk, "0.5000"),
        (second.pk, "0.2500"),
        (third.pk, "0.2500"),
    ]
    services.proposal_register(actor=staff_user, proposal=proposal)
    assert DutyRecord.objects.filter(kind="proposal_registered").count() == 3
    assert all(r.status == "confirmed" for r in DutyRecord.objects.all())


def test_withdrawn_proposal_earns_nothing(submitted, member):
    from members.models import DutyRecord

    assert DutyRecord.objects.filter(member=member, kind="proposal_submitted").count() == 1
    services.proposal_withdraw(actor=member.user, proposal=submitted)
    assert not DutyRecord.objects.filter(member=member).exists()
