"""社情民意 services: every transition, its refusals (nothing changed), duty records and notifications."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from members.models import DutyRecord
from sqyy import services
from sqyy.models import (
    Bulletin,
    BulletinItem,
    Forwarding,
    Instruction,
    OpinionReport,
    Transfer,
    UpperAdoption,
)
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import AuditEntry, HandlingPolicy
from zhengxie.workflow.registry import handling_task_kinds
from zhengxie.workflow.selectors import history_of

State = OpinionReport.State
pytestmark = pytest.mark.django_db


def _duty(member, kind):
    return DutyRecord.objects.filter(member=member, kind=kind)


def test_member_submits_and_earns_submitted_duty(draft, member):
    assert draft.state == State.DRAFT and draft.reflector == member and draft.reflector_kind == "member"
    report = services.opinion_report_submit(actor=member.user, report=draft)
    assert report.state == State.SUBMITTED and report.submitted_at is not None
    assert _duty(member, "opinion_submitted").count() == 1
    assert [log.to_state for log in history_of(report)] == ["draft", "submitted"]


def test_content_over_policy_limit_is_refused_and_nothing_saved(member):
    HandlingPolicy.objects.create(opinion_content_max=20)
    with pytest.raises(InvalidInput, match="不能超过20字"):
        services.opinion_report_create(actor=member.user, title="标题", content="字" * 21)
    assert OpinionReport.objects.count() == 0
    with pytest.raises(InvalidInput, match="请填写标题"):
        services.opinion_report_create(actor=member.user, title=" ", content="内容")


def test_staff_enter_for_party_and_member(staff_user, other_member):
    party = services.opinion_report_create(
        actor=staff_user,
        title="党派反映",
        content="内容",
        reflector_kind="party",
        reflector_name="九三学社市委",
    )
    assert (
        party.reflector is None
        and party.reflector_display == "九三学社市委"
        and party.reflector_kind == "party"
    )
    for_member = services.opinion_report_create(
        actor=staff_user,
        title="代委员录入",
        content="内容",
        reflector_kind="member",
        reflector=other_member.pk,
    )
    assert for_member.reflector == other_member
    own = services.opinion_report_create(
        actor=staff_user, title="机关反映", content="内容", reflector_kind="staff"
    )
    assert own.reflector_display == staff_user.display_name
    with pytest.raises(InvalidInput, match="反映单位名称"):
        services.opinion_report_create(actor=staff_user, title="t", content="c", reflector_kind="sector")
    with pytest.raises(InvalidInput, match="委员不存在"):
        services.opinion_report_create(
            actor=staff_user, title="t", content="c", reflector_kind="member", reflector=999999
        )


def test_wrong_roles_cannot_create(department_user, leader_user):
    for user in (department_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.opinion_report_create(actor=user, title="t", content="c")


def test_other_member_cannot_edit_or_submit(draft, other_member):
    with pytest.raises(PermissionDenied):
        services.opinion_report_submit(actor=other_member.user, report=draft)
    with pytest.raises(PermissionDenied):
        services.opinion_report_update(actor=other_member.user, report=draft, title="改")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.title != "改"


def test_return_and_resubmit(submitted, staff_user, member):
    with pytest.raises(InvalidInput, match="须说明理由"):
        services.opinion_report_return(actor=staff_user, report=submitted, reason="")
    services.opinion_report_return(actor=staff_user, report=submitted, reason="请补充数据")
    submitted.refresh_from_db()
    assert submitted.state == State.RETURNED and submitted.return_reason == "请补充数据"
    assert Notification.objects.filter(recipient=member.user, title__contains="退回").exists()
    services.opinion_report_update(actor=member.user, report=submitted, content="补充了数据的新内容")
    report = services.opinion_report_submit(actor=member.user, report=submitted)
    assert report.state == State.SUBMITTED and report.return_reason == ""
    assert _duty(member, "opinion_submitted").count() == 1  # idempotent per report


def test_adopt_keeps_original_and_records_duty(submitted, staff_user, member):
    original_title, original_content = submitted.title, submitted.content
    report = services.opinion_report_adopt(
        actor=staff_user, report=submitted, title="新标题", content="新内容"
    )
    report.refresh_from_db()
    assert report.state == State.ADOPTED and report.adopted_by == staff_user
    assert (report.title, report.content) == (original_title, original_content)
    assert (report.final_title, report.final_content) == ("新标题", "新内容") and report.is_edited
    assert _duty(member, "opinion_adopted").count() == 1
    with pytest.raises(TransitionNotAllowed, match="不能重复采用"):
        services.opinion_report_adopt(actor=staff_user, report=report)
    assert _duty(member, "opinion_adopted").count() == 1


def test_adopt_with_unchanged_text_is_not_an_edit(submitted, staff_user):
    report = services.opinion_report_adopt(actor=staff_user, report=submitted, title=submitted.title)
    assert not report.is_edited and report.final_title == submitted.title


def test_adopt_over_long_edit_refused_nothing_changed(submitted, staff_user):
    with pytest.raises(InvalidInput, match="不能超过1500字"):
        services.opinion_report_adopt(actor=staff_user, report=submitted, content="字" * 1501)
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and submitted.edited_content == ""


def test_member_and_leader_cannot_adopt(submitted, member, leader_user):
    for user in (member.user, leader_user):
        with pytest.raises(PermissionDenied):
            services.opinion_report_adopt(actor=user, report=submitted)
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_reject_needs_reason(submitted, staff_user, member):
    with pytest.raises(InvalidInput):
        services.opinion_report_reject(actor=staff_user, report=submitted, reason=" ")
    report = services.opinion_report_reject(actor=staff_user, report=submitted, reason="属个人问题")
    assert report.state == State.NOT_ADOPTED and report.rejection_reason == "属个人问题"
    assert not _duty(member, "opinion_adopted").exists()


def test_staff_edit_only_while_editable(adopted, staff_user):
    services.opinion_report_edit(actor=staff_user, report=adopted, title="再改标题")
    adopted.refresh_from_db()
    assert adopted.edited_title == "再改标题" and adopted.title == "关于加强校园周边交通安全的建议"


def test_create_submitted_from_proposal_keeps_behaviour(staff_user, member):
    report = services.opinion_report_create_submitted(
        actor=staff_user, title="T" * 250, content="c", category="经济", reflector=member, comment="转来"
    )
    assert report.state == State.SUBMITTED and len(report.title) == 200 and report.reflector_kind == "member"
    org = services.opinion_report_create_submitted(
        actor=staff_user, title="t", content="c", reflector_name="民盟市委"
    )
    assert org.reflector_kind == "organization"


def test_instruction_any_number_with_duty_and_notice(published, staff_user, leader_user, member):
    services.opinion_report_add_instruction(
        actor=leader_user,
        report=published,
        leader="王市长",
        level="city",
        content="请研究",
        date=date.today(),
    )
    services.opinion_report_add_instruction(
        actor=staff_user, report=published, leader="李书记", level="province", content="阅", date=date.today()
    )
    assert published.instructions.count() == 2
    assert _duty(member, "opinion_instructed").count() == 2
    assert Notification.objects.filter(recipient=member.user, title__contains="批示").count() == 2


def test_instruction_bad_input_and_roles(submitted, adopted, staff_user, member, department_user):
    with pytest.raises(InvalidInput, match="批示级别"):
        services.opinion_report_add_instruction(
            actor=staff_user, report=adopted, leader="x", level="county", content="c"
        )
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.opinion_report_add_instruction(
            actor=staff_user,
            report=adopted,
            leader="x",
            level="city",
            content="c",
            date=date.today() + timedelta(days=1),
        )
    for user in (member.user, department_user):
        with pytest.raises(PermissionDenied):
            services.opinion_report_add_instruction(
                actor=user, report=adopted, leader="x", level="city", content="c"
            )
    assert Instruction.objects.count() == 0


def test_instruction_on_submitted_refused(submitted, staff_user):
    with pytest.raises(TransitionNotAllowed):
        services.opinion_report_add_instruction(
            actor=staff_user, report=submitted, leader="x", level="city", content="c"
        )


def test_bulletin_numbering_add_order_publish(staff_user, make_adopted, member):
    first = services.bulletin_create(actor=staff_user, date=date(2026, 3, 1))
    second = services.bulletin_create(actor=staff_user, year=2026)
    other_year = services.bulletin_create(actor=staff_user, date=date(2025, 12, 1))
    assert (first.number, second.number, other_year.number) == (1, 2, 1)
    assert first.issue_label == "2026年第1期"
    a, b, c = make_adopted("甲"), make_adopted("乙"), make_adopted("丙")
    services.bulletin_add_report(actor=staff_user, bulletin=first, report=a)
    services.bulletin_add_report(actor=staff_user, bulletin=first, report=b)
    services.bulletin_add_report(actor=staff_user, bulletin=first, report=c, position=1)
    assert [i.report.title for i in BulletinItem.objects.filter(bulletin=first)] == ["丙", "甲", "乙"]
    services.bulletin_reorder(actor=staff_user, bulletin=first, report_ids=[a.pk, b.pk, c.pk])
    assert [i.report_id for i in BulletinItem.objects.filter(bulletin=first)] == [a.pk, b.pk, c.pk]
    with pytest.raises(InvalidInput, match="全部篇目"):
        services.bulletin_reorder(actor=staff_user, bulletin=first, report_ids=[a.pk, b.pk])
    with pytest.raises(InvalidInput, match="已编入"):
        services.bulletin_add_report(actor=staff_user, bulletin=second, report=a)
    services.bulletin_publish(actor=staff_user, bulletin=first)
    assert set(OpinionReport.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("state", flat=True)) == {
        "published"
    }
    first.refresh_from_db()
    assert first.state == Bulletin.State.PUBLISHED
    with pytest.raises(TransitionNotAllowed):
        services.bulletin_add_report(actor=staff_user, bulletin=first, report=make_adopted("丁"))
    with pytest.raises(TransitionNotAllowed):
        services.bulletin_publish(actor=staff_user, bulletin=first)


def test_unadopted_report_and_empty_bulletin_refused(submitted, staff_user):
    bulletin = services.bulletin_create(actor=staff_user)
    with pytest.raises(InvalidInput, match="只有已采用"):
        services.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=submitted)
    with pytest.raises(InvalidInput, match="还没有篇目"):
        services.bulletin_publish(actor=staff_user, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert bulletin.state == "draft" and not bulletin.items.exists()


def test_bulletin_remove_renumbers(staff_user, make_adopted):
    bulletin = services.bulletin_create(actor=staff_user)
    a, b, c = make_adopted("甲"), make_adopted("乙"), make_adopted("丙")
    for r in (a, b, c):
        services.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=r)
    services.bulletin_remove_report(actor=staff_user, bulletin=bulletin, report=a)
    assert list(BulletinItem.objects.filter(bulletin=bulletin).values_list("order", "report_id")) == [
        (1, b.pk),
        (2, c.pk),
    ]


def test_forward_bulletin_and_upper_adoption(published, staff_user, member):
    bulletin = published.bulletin_item.bulletin
    with pytest.raises(InvalidInput, match="报送单位"):
        services.bulletin_forward(actor=staff_user, bulletin=bulletin, to="")
    with pytest.raises(TransitionNotAllowed, match="尚未报送"):
        services.opinion_report_record_upper_adoption(
            actor=staff_user, report=published, body="省政协", kind="single"
        )
    services.bulletin_forward(actor=staff_user, bulletin=bulletin, to="市委办公室", date=date.today())
    published.refresh_from_db()
    bulletin.refresh_from_db()
    assert (
        published.state == State.FORWARDED
        and bulletin.state == "forwarded"
        and bulletin.forwarded_to == "市委办公室"
    )
    assert Forwarding.objects.get(report=published).bulletin == bulletin
    with pytest.raises(InvalidInput, match="采用方式"):
        services.opinion_report_record_upper_adoption(
            actor=staff_user, report=published, body="省政协", kind="x"
        )
    services.opinion_report_record_upper_adoption(
        actor=staff_user, report=published, body="省政协", kind="compiled"
    )
    assert UpperAdoption.objects.get().get_kind_display() == "转送采用"
    assert _duty(member, "opinion_upper_adopted").count() == 1
    services.opinion_report_forward(actor=staff_user, report=published, to="全国政协")
    assert published.forwardings.count() == 2


def test_transfer_rules(adopted, published, staff_user, department, other_department):
    with pytest.raises(InvalidInput, match="至少选择"):
        services.opinion_report_transfer(actor=staff_user, report=published, departments=[])
    with pytest.raises(TransitionNotAllowed, match="须报送上级或获领导批示"):
        services.opinion_report_transfer(actor=staff_user, report=published, departments=[department.pk])
    with pytest.raises(InvalidInput, match="不存在"):
        services.opinion_report_transfer(actor=staff_user, report=published, departments=[999999])
    assert Transfer.objects.count() == 0
    services.opinion_report_add_instruction(
        actor=staff_user, report=published, leader="x", level="city", content="c"
    )
    tasks = services.opinion_report_transfer(
        actor=staff_user, report=published, departments=[department.pk, other_department.pk]
    )
    published.refresh_from_db()
    assert published.state == State.TRANSFERRED and len(tasks) == 2
    policy_due = tasks[0].due_date
    assert tasks[0].due_span == "1m" and (policy_due - tasks[0].due_basis).days in range(28, 35)
    with pytest.raises(InvalidInput, match="已转办过"):
        services.opinion_report_transfer(actor=staff_user, report=published, departments=[department.pk])


def test_transfer_deadline_from_policy(instructed, staff_user, department):
    HandlingPolicy.objects.create(transfer_months=2)
    (task,) = services.opinion_report_transfer(actor=staff_user, report=instructed, departments=[department])
    assert task.due_span == "2m"


def test_department_accepts_replies_staff_feedback_closes(
    transferred, department_user, staff_user, member, other_department
):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    stranger = make_user("dept2", Role.DEPARTMENT, department=other_department)
    with pytest.raises(PermissionDenied):
        services.transfer_accept(actor=stranger, transfer=transferred)
    with pytest.raises(TransitionNotAllowed, match="请先签收"):
        services.transfer_reply(actor=department_user, transfer=transferred, result="A", content="已解决")
    services.transfer_accept(actor=department_user, transfer=transferred)
    report = transferred.report
    with pytest.raises(TransitionNotAllowed, match="尚未答复"):
        services.opinion_report_feedback(actor=staff_user, report=report, content="反馈")
    with pytest.raises(InvalidInput, match="答复类别"):
        services.transfer_reply(actor=department_user, transfer=transferred, result="D", content="x")
    services.transfer_reply(
        actor=department_user, transfer=transferred, result="B", content="已列入明年计划", signer="张局长"
    )
    transferred.refresh_from_db()
    assert transferred.state == "replied" and transferred.reply_result == "B" and transferred.replied_at
    with pytest.raises(PermissionDenied):
        services.opinion_report_feedback(actor=department_user, report=report, content="x")
    services.opinion_report_feedback(actor=staff_user, report=report, content="教育局已列入明年计划。")
    report.refresh_from_db()
    transferred.refresh_from_db()
    assert (
        report.state == State.CLOSED
        and report.feedback == "教育局已列入明年计划。"
        and transferred.state == "closed"
    )
    assert Notification.objects.filter(recipient=member.user, title__contains="办理反馈").exists()


def test_transfer_is_registered_handling_task():
    assert Transfer in handling_task_kinds()


def test_urgent_report_notifies_staff(member, staff_user):
    report = services.opinion_report_create(actor=member.user, title="急", content="内容", is_urgent=True)
    services.opinion_report_submit(actor=member.user, report=report)
    assert Notification.objects.filter(recipient=staff_user, title__startswith="急事急报").exists()


def test_every_change_is_audited(adopted):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"opinion_report_create", "opinion_report_submit", "opinion_report_adopt"} <= actions


def test_transfer_deadline_reminders_come_from_the_shared_scan(transferred, department_user, staff_user):
    """A 转办 is a HandlingTask: the morning scan reminds its department, and escalates when late."""
    from datetime import timedelta

    from sqyy.models import Transfer
    from zhengxie.notifications.models import Notification
    from zhengxie.notifications.services import reminders_scan

    task = Transfer.objects.get(department=department_user.department)
    today = task.due_date - timedelta(days=3)
    reminders_scan(today=today)
    reminders_scan(today=today)
    notices = Notification.objects.filter(recipient=department_user, title__startswith="办理提醒")
    assert (
        notices.count() == 1 and "社情民意转办" in notices.get().body and "还有3天到期" in notices.get().body
    )
    assert notices.get().link == f"/portal/transfers/{task.pk}/"
    reminders_scan(today=task.due_date + timedelta(days=1))
    assert Notification.objects.filter(recipient=staff_user, title__startswith="逾期督办").exists()
