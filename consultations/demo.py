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
    from . import sessions
    from .models import LeaveRequest

    sessions.leave_request_approve(
        actor=staff, leave=LeaveRequest.objects.get(meeting=held, member=people[4])
    )
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


def _demo_pdf(title: str) -> bytes:
    """A one-page PDF standing in for a session document (pypdf writes it; no external tool)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@transaction.atomic
def seed_sessions_demo() -> int:
    """The committee's own sessions: this year's plenary (three sittings), a 常委会 and a 主席会议 held
    earlier (recorded after the fact, as an office enters what was done on paper), and an upcoming
    常委会 with its agenda, a material and a leave request waiting — so the duty ranking shows real grades."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.models import Plenary

    from . import sessions
    from .models import ConsultationType

    if Meeting.objects.filter(type=ConsultationType.PLENARY).exists():
        return 0
    staff = User.objects.filter(username="staff").first()
    plenary = Plenary.objects.filter(term__is_current=True).order_by("-number").first()
    if staff is None or plenary is None:
        return 0
    serving = list(Member.objects.filter(status=Member.Status.SERVING).order_by("id"))
    if len(serving) < 6:
        return 0

    def held(title, type, start, *, leave=(), absent=(), **extra):
        meeting = services.meeting_create(
            actor=staff, title=title, type=type, start=start, place="市政协机关会议中心", **extra
        )
        for row in meeting.attendances.select_related("member"):
            status = "leave" if row.member in leave else "absent" if row.member in absent else "present"
            services.meeting_record_attendance(actor=staff, meeting=meeting, member=row.member, status=status)
        services.meeting_hold(actor=staff, meeting=meeting)
        return meeting

    day = plenary.start_date
    held("开幕大会", ConsultationType.PLENARY, _at(day, 9), plenary=plenary, leave=serving[-1:])
    group = held(
        "分组讨论",
        ConsultationType.PLENARY,
        _at(day + timedelta(days=1), 9),
        plenary=plenary,
        leave=serving[-1:],
        absent=serving[-2:-1],
    )
    for report, content in [
        ("government", "建议政府工作报告对优化营商环境的目标再细化，增加可量化指标。"),
        ("government", "建议加大对县域医共体建设的财政投入。"),
        ("court", "建议进一步推进诉源治理，加强人民调解与诉讼的衔接。"),
        ("procuratorate", "建议加强未成年人检察工作宣传。"),
    ]:
        sessions.report_opinion_add(
            actor=staff, meeting=group, report=report, content=content, member=serving[0]
        )
    held("闭幕大会", ConsultationType.PLENARY, _at(day + timedelta(days=3), 9), plenary=plenary)
    today = timezone.localdate()
    held("常委会第十次会议", ConsultationType.STANDING_COMMITTEE, _at(today - timedelta(days=30), 14))
    held("主席会议", ConsultationType.CHAIR_MEETING, _at(today - timedelta(days=35), 9))

    upcoming = services.meeting_create(
        actor=staff,
        title="常委会第十一次会议",
        type=ConsultationType.STANDING_COMMITTEE,
        start=_at(today + timedelta(days=5), 9),
        place="市政协机关三楼会议室",
    )
    first = sessions.agenda_item_add(
        actor=staff, meeting=upcoming, order=1, title="审议政协常委会工作要点", presenter="秘书长"
    )
    sessions.agenda_item_add(
        actor=staff, meeting=upcoming, order=2, title="通报提案办理情况", presenter="提案委员会"
    )
    sessions.material_upload(
        actor=staff,
        meeting=upcoming,
        title="政协常委会工作要点（审议稿）",
        file=SimpleUploadedFile("work-points.pdf", _demo_pdf("工作要点"), content_type="application/pdf"),
        agenda_item=first,
        is_internal=True,
    )
    invited = list(upcoming.attendances.select_related("member__user"))
    if invited and invited[-1].member.user_id:
        sessions.leave_request_create(
            actor=invited[-1].member.user, meeting=upcoming, kind="official", reason="赴省里参加培训"
        )
    return 1
