"""Demo data between sessions (called by seed_demo after the roster): two stations, a sector group, a
supervisor, an inspection held last week with attendance and report, an upcoming research trip and a
reception day, and 民情 cases (one resolved, one turned into 社情民意) — all through the services.
Idempotent: skipped when any station exists."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import User

from . import services
from .models import Activity, Group, Station, SupervisorAppointment


def _members(*usernames) -> list[Member]:
    found = {
        m.user.username: m for m in Member.objects.filter(user__username__in=usernames).select_related("user")
    }
    return [found[u] for u in usernames if u in found]


def _at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_activities_demo() -> int:
    if Station.objects.exists():
        return 0
    staff = User.objects.filter(username="staff").first()
    people = _members(*(f"member{i}" for i in range(1, 7)))
    if staff is None or len(people) < 6:
        return 0
    today = timezone.localdate()
    station = services.station_create(
        actor=staff,
        name="城关街道委员工作站",
        kind=Station.Kind.STATION,
        address="城关街道便民服务中心二楼",
        members=people[:3],
        schedule="每月第一个周五上午",
    )
    services.station_create(
        actor=staff,
        name="教育界别委员工作室",
        kind=Station.Kind.STUDIO,
        address="市第一中学行政楼",
        members=people[3:5],
        schedule="每季度一次",
    )
    group = services.group_create(
        actor=staff,
        name="经济界别活动组",
        kind=Group.Kind.SECTOR_GROUP,
        convener=people[0],
        members=people[:4],
    )
    services.supervisor_appoint(
        actor=staff,
        member=people[5],
        kind=SupervisorAppointment.Kind.SPECIAL,
        office="市市场监督管理局",
        start_date=today.replace(month=1, day=1),
    )
    held = services.activity_create(
        actor=staff,
        kind=Activity.Kind.INSPECTION,
        title="视察城区老旧小区改造",
        start=_at(today - timedelta(days=7), 9),
        place="城关街道",
        group=group,
    )
    for member in people[:3]:
        services.activity_set_attendance(actor=staff, activity=held, member=member, status="present")
    services.activity_set_attendance(actor=staff, activity=held, member=people[3], status="leave")
    services.activity_report(
        actor=staff,
        activity=held,
        content="视察组实地察看了三个小区的改造现场。\n建议统筹加装电梯与管网改造，完善长效管理机制。",
        suggestion_count=3,
    )
    services.activity_create(
        actor=staff,
        kind=Activity.Kind.RESEARCH,
        title="民营企业融资情况专题调研",
        start=_at(today + timedelta(days=5), 9),
        place="市工商联",
        participants=people[:5],
    )
    services.activity_create(
        actor=staff,
        kind=Activity.Kind.RECEPTION,
        title="委员接待日",
        start=_at(today + timedelta(days=12), 9),
        station=station,
        participants=people[:2],
    )
    user1 = people[0].user
    fixed = services.case_create(
        actor=user1,
        title="小区路灯损坏多日",
        content="居民反映小区东门路灯损坏两周，夜间出行不便。",
        station=station,
        people=12,
    )
    services.case_resolve(actor=user1, case=fixed, content="联系街道办，三天内完成维修，居民满意。")
    services.case_create(
        actor=user1,
        title="学校门口早晚高峰拥堵",
        content="家长反映接送时段车辆乱停，存在安全隐患。",
        people=30,
    )
    converted = services.case_create(
        actor=people[1].user,
        title="农贸市场排水不畅",
        content="雨天积水严重，商户和群众多次反映。",
        station=station,
    )
    services.case_to_opinion(actor=people[1].user, case=converted)
    return 1
