"""Demo 协商 data (called by seed_demo after the roster): this year's plan with topics at different
stages, a held meeting and an upcoming one — all through the services, so logs, duty records and
notifications are real. Idempotent: skipped when this year's plan exists."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member, SpecialCommittee
from zhengxie.accounts.models import Department, User

from . import services
from .models import ConsultationPlan, Meeting


def _members(*usernames) -> list[Member]:
    found = {
        m.user.username: m for m in Member.objects.filter(user__username__in=usernames).select_related("user")
    }
    return [found[u] for u in usernames if u in found]


def _at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_consultations_demo() -> int:
    today = timezone.localdate()
    if ConsultationPlan.objects.filter(year=today.year).exists():
        return 0
    staff = User.objects.filter(username="staff").first()
    people = _members(*(f"member{i}" for i in range(1, 7)))
    if staff is None or len(people) < 6:
        return 0
    economy = SpecialCommittee.objects.filter(name="经济委员会").first()
    agri = SpecialCommittee.objects.filter(name="农业农村委员会").first()
    health = SpecialCommittee.objects.filter(name="教科卫体委员会").first()
    depts = {d.code: d for d in Department.objects.filter(code__in=["FGW", "WJW", "ZJJ"])}

    plan = services.plan_create(actor=staff, year=today.year, title=f"{today.year}年度政协协商工作计划")
    business = services.topic_create(
        actor=staff,
        plan=plan,
        title="持续优化营商环境、激发市场主体活力",
        type="standing_committee",
        lead_committee=economy,
        departments=[depts[c] for c in ("FGW",) if c in depts],
        planned_month=4,
        description="围绕政务服务、融资难融资贵、涉企检查等开展调研，召开专题议政性常委会会议。",
    )
    services.plan_approve(actor=staff, plan=plan, date=min(date(today.year, 1, 15), today))
    rural = services.topic_create(
        actor=staff,
        plan=plan,
        title="推进和美乡村建设",
        type="counterpart",
        lead_committee=agri,
        planned_month=7,
    )
    services.topic_create(
        actor=staff,
        plan=plan,
        title="提升基层医疗卫生服务能力",
        type="forum",
        lead_committee=health,
        departments=[depts[c] for c in ("WJW",) if c in depts],
        planned_month=10,
    )

    # A held meeting for the first topic: research, invitations, a speech, attendance, outcome.
    services.topic_start_research(actor=staff, topic=business)
    services.research_activity_add(
        actor=staff,
        topic=business,
        kind="research",
        date=today - timedelta(days=20),
        place="市政务服务中心、高新区企业服务中心",
        participants=people[:4],
        notes="走访企业12家，召开座谈会2场。",
    )
    held = services.meeting_create(
        actor=staff,
        topic=business,
        title="“优化营商环境”专题议政性常委会会议",
        type="standing_committee",
        start=timezone.now() + timedelta(hours=1),
        place="市政协机关三楼会议室",
        invitees=people[:5],
        invited_officials="市政府分管副市长\n市发展和改革委员会主要负责同志",
    )
    services.meeting_reply(actor=people[4].user, meeting=held, attend=False, reason="外出学习")
    speech = services.speech_submit(
        actor=people[0].user,
        meeting=held,
        title="关于推行涉企检查“综合查一次”的建议",
        content="建议建立跨部门联合检查清单，同一企业一年内同类检查不超过一次。",
    )
    services.speech_pick(actor=staff, speech=speech, oral=True)
    # The demo's meeting took place a week ago (invitations can only be sent ahead, so it is moved back).
    start = _at(today - timedelta(days=7), 9)
    Meeting.objects.filter(pk=held.pk).update(start=start, end=start + timedelta(hours=3))
    held.refresh_from_db()
    for member in people[:3]:
        services.meeting_record_attendance(actor=staff, meeting=held, member=member, status="present")
    services.meeting_hold(actor=staff, meeting=held)
    services.meeting_minutes_save(
        actor=staff, meeting=held, minutes="会议听取了市政府关于优化营商环境工作的情况通报，5位委员作了发言。"
    )
    business.refresh_from_db()
    services.topic_submit_outcome(
        actor=staff,
        topic=business,
        content="形成《关于持续优化营商环境的建议案》，报送市委、市政府。",
        suggestion_count=12,
        submitted_to="市委、市政府",
    )

    # An upcoming meeting for the second topic.
    services.topic_start_research(actor=staff, topic=rural)
    upcoming = services.meeting_create(
        actor=staff,
        topic=rural,
        title="“推进和美乡村建设”对口协商会",
        type="counterpart",
        start=_at(today + timedelta(days=10), 9),
        place="市政协机关二楼会议室",
        invitees=people[1:6],
        invited_officials="市农业农村局主要负责同志",
    )
    services.meeting_reply(actor=people[1].user, meeting=upcoming, attend=True)
    return 1
