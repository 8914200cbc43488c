"""Demo 社情民意 (called by seed_demo after the roster): a year's worth in miniature, through the services
so states, logs, duty records and notifications are all real. Idempotent: skipped when already seeded."""

from django.db import transaction
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Department, User

from . import services
from .models import OpinionReport

DEMO_MARK = "关于加强老旧小区加装电梯统筹推进的建议"


def _member(username: str) -> Member | None:
    return Member.objects.filter(user__username=username).select_related("user").first()


@transaction.atomic
def seed_sqyy_demo() -> int:
    if OpinionReport.objects.filter(title=DEMO_MARK).exists():
        return 0
    staff = User.objects.filter(username="staff").first()
    leader = User.objects.filter(username="leader").first()
    m1, m2, m3, m4 = (_member(f"member{i}") for i in range(1, 5))
    dept = Department.objects.filter(code="ZJJ").first()
    if not all([staff, leader, m1, m2, m3, m4, dept]):
        return 0
    dept_user = User.objects.filter(department=dept).first()
    today = timezone.localdate()

    def member_report(member, title, content, category, urgent=False):
        return services.opinion_report_save(
            actor=member.user, submit=True, title=title, content=content, category=category, is_urgent=urgent
        )

    elevator = member_report(
        m1,
        DEMO_MARK,
        "一、基本情况：我市2000年以前建成的老旧小区约320个，多为六层以下无电梯住宅，老年住户占比超过三成。\n"
        "二、存在问题：加装电梯需本单元住户意见一致，低层住户顾虑采光和噪音；审批涉及规划、住建、市场监管多个部门，"
        "流程长；资金筹措渠道单一。\n"
        "三、建议：1.出台加装电梯协商议事规则，发挥社区党组织作用；2.推行一窗受理、并联审批；"
        "3.允许提取住房公积金用于加装电梯，设立市级补助资金。",
        "城乡建设",
    )
    services.opinion_report_adopt(
        actor=staff, report=elevator, title="老旧小区加装电梯亟需统筹推进", content=None
    )
    first = services.bulletin_create(
        actor=staff, date=today, editor_note="本期刊发委员关于城市更新的意见建议。"
    )
    services.bulletin_add_report(actor=staff, bulletin=first, report=elevator)
    services.bulletin_publish(actor=staff, bulletin=first)
    services.bulletin_forward(actor=staff, bulletin=first, to="市委办公室、市政府办公室", date=today)
    services.opinion_report_add_instruction(
        actor=leader,
        report=elevator,
        leader="王市长",
        level="city",
        content="请市住建局会同相关部门研究，拿出具体措施。",
        date=today,
    )
    services.opinion_report_record_upper_adoption(
        actor=staff, report=elevator, body="省政协", kind="single", date=today, note="《社情民意》专报采用"
    )
    (transfer,) = services.opinion_report_transfer(actor=staff, report=elevator, departments=[dept.pk])
    if dept_user is not None:
        services.transfer_accept(actor=dept_user, transfer=transfer)

    urgent = member_report(
        m2,
        "关于汛期城区低洼路段积水隐患的紧急报告",
        "近日连续强降雨，城区多个下穿通道和低洼路段出现积水，部分路段排水泵站运行不稳定。建议立即排查泵站设备，"
        "设置警示标志和临时封闭措施，汛期实行24小时值守。",
        "社会民生",
        urgent=True,
    )
    returned = member_report(m3, "关于乡村学校午餐质量的建议", "部分乡村学校午餐标准偏低。", "文化教育")
    services.opinion_report_return(
        actor=staff, report=returned, reason="请补充调查数据（涉及学校数量、学生人数）和具体建议。"
    )
    rejected = member_report(m4, "关于个人住房纠纷的反映", "本人所住小区物业纠纷长期未解决。", "其他")
    services.opinion_report_reject(
        actor=staff, report=rejected, reason="属个人具体问题，建议通过信访渠道反映。"
    )
    party = services.opinion_report_save(
        actor=staff,
        submit=True,
        title="关于支持民营企业参与养老服务的建议",
        content="我市养老机构床位缺口较大，民营资本进入门槛高、融资难。建议落实用地、税费优惠，推行公建民营。",
        category="经济发展",
        reflector_kind="party",
        reflector_name="九三学社市委",
    )
    services.opinion_report_adopt(actor=staff, report=party)
    second = services.bulletin_create(actor=staff, date=today)
    services.bulletin_add_report(actor=staff, bulletin=second, report=party)
    return len([elevator, urgent, returned, rejected, party])
