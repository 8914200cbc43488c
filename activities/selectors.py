"""Reads for activities, stations, groups and cases; who may see what is decided here (404 otherwise).

Staff and leaders see everything. A member sees the activities they take part in and planned ones open
for sign-up, every station, their own groups and their own cases. Departments see nothing here.
"""

import calendar
from collections import OrderedDict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from consultations.models import Meeting
from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.figures_cache import remembered_figures, remembered_list
from zhengxie.lookups import AnyOf
from zhengxie.params import is_int, parse_int, parse_year
from zhengxie.workflow.selectors import history_of

from .models import Activity, Case, Group, Participant, Station, SupervisorAppointment


def _role(user) -> str | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.effective_role


def member_of(user) -> Member | None:
    if _role(user) != Role.MEMBER:
        return None
    return Member.objects.filter(user=user).first()


# --- activities ----------------------------------------------------------------------------------------


def _participants_counted(condition: Q):
    counted = (
        Participant.objects.filter(condition, activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def activities_visible_to(user, *, before=None) -> QuerySet[Activity]:
    """What `user` may see. `before`: only what started before that time (a member's past list: their
    own activities, as an open one is one still to come, so the ids alone choose the rows)."""
    role = _role(user)
    qs = (
        Activity.objects.select_related("station", "group", "committee", "topic")
        # Counted per row shown (correlated subqueries), not by joining and grouping every participant of
        # every activity before the first page can be cut.
        .annotate(
            participant_count=_participants_counted(Q()),
            present_count=_participants_counted(Q(status=Participant.Status.PRESENT)),
        )
        .order_by("-start", "-id")
    )
    if before is not None:
        qs = qs.filter(start__lt=before)
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        member = member_of(user)
        if member is None:
            return qs.none()
        if before is not None and before <= activity_clock():
            return qs.filter(AnyOf("pk", member_activity_ids(member)))
        # The member's own activities as one array of ids, read first: OR-ed subqueries made the planner
        # scan every activity ever held for each page and its count (20k at a province, growing).
        return qs.filter(
            Q(AnyOf("pk", member_activity_ids(member)))
            | Q(state=Activity.State.PLANNED, start__gt=activity_clock(), group__isnull=True)
        )
    return qs.none()


def member_activity_ids(member) -> list[int]:
    """The activities `member` takes part in or whose group they belong to (tens to a few thousand ids),
    remembered while the database shows the same rows."""
    groups = Group.members.through.objects.filter(member=member).values("group_id")
    taken_part = Participant.objects.filter(member=member).order_by().values_list("activity_id", flat=True)
    of_groups = Activity.objects.filter(group__in=groups).order_by().values_list("pk", flat=True)
    return sorted({*remembered_list(taken_part), *remembered_list(of_groups)})


def activity_clock():
    """Now, to the minute: what a member's lists take as "now" (coming vs past, open for sign-up), so their
    queries read the same within a minute and their counts and page ids are remembered (a time to the
    microsecond made every view's queries new)."""
    return timezone.now().replace(second=0, microsecond=0)


def activities_filter(qs: QuerySet[Activity], *, params) -> QuerySet[Activity]:
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("state"):
        qs = qs.filter(state__in=params["state"].split(","))
    if params.get("year"):
        year = parse_year(params["year"])
        qs = qs.filter(start__year=year) if year else qs.none()
    if is_int(params.get("station")):
        qs = qs.filter(station_id=parse_int(params["station"]))
    if is_int(params.get("group")):
        qs = qs.filter(group_id=parse_int(params["group"]))
    return qs


def access_activity(user, pk) -> Activity:
    activity = activities_visible_to(user).filter(pk=pk).first()
    if activity is None:
        raise Http404("活动不存在。")
    return activity


def activity_participants(activity: Activity) -> list[Participant]:
    return list(
        Participant.objects.filter(activity=activity)
        .select_related("member__sector")
        .order_by("member__name")
    )


ACTION_LABELS = {
    "create": "创建",
    "cancel": "取消",
    "report": "提交报告",
    "resolve": "办结",
    "to_opinion": "转社情民意",
}


def history(target) -> list[dict]:
    """The transition log with Chinese labels, for the detail pages."""
    labels = dict(type(target).State.choices)
    return [
        {
            "at": entry.at,
            "actor": entry.actor.display_name if entry.actor_id else "系统",
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "from_state": labels.get(entry.from_state, entry.from_state),
            "to_state": labels.get(entry.to_state, entry.to_state),
            "comment": entry.comment,
        }
        for entry in history_of(target).select_related("actor")
    ]


def my_participation(activities, member: Member | None) -> dict[int, Participant]:
    """The member's own row of each activity in one query."""
    if member is None:
        return {}
    rows = Participant.objects.filter(activity__in=[a.pk for a in activities], member=member)
    return {row.activity_id: row for row in rows}


# --- stations, groups, 监督员 ---------------------------------------------------------------------------


def stations_visible_to(user) -> QuerySet[Station]:
    if _role(user) in (Role.STAFF, Role.LEADER, Role.MEMBER):
        return (
            Station.objects.prefetch_related(Prefetch("members", queryset=Member.objects.order_by("name")))
            .annotate(case_count=Count("cases", distinct=True))
            .order_by("kind", "name")
        )
    return Station.objects.none()


def access_station(user, pk) -> Station:
    station = stations_visible_to(user).filter(pk=pk).first()
    if station is None:
        raise Http404("工作站不存在。")
    return station


def groups_visible_to(user) -> QuerySet[Group]:
    role = _role(user)
    qs = Group.objects.select_related("convener", "sector", "committee").prefetch_related(
        Prefetch("members", queryset=Member.objects.select_related("sector").order_by("name"))
    )
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        member = member_of(user)
        return qs.filter(members=member).distinct() if member else qs.none()
    return qs.none()


def access_group(user, pk) -> Group:
    group = groups_visible_to(user).filter(pk=pk).first()
    if group is None:
        raise Http404("活动组不存在。")
    return group


def group_activities(groups) -> dict[int, list[Activity]]:
    """The latest activities of each group, in one query."""
    result: dict[int, list[Activity]] = {}
    rows = (
        Activity.objects.filter(group__in=[g.pk for g in groups])
        .exclude(state=Activity.State.CANCELLED)
        .order_by("-start")
    )
    for activity in rows:
        result.setdefault(activity.group_id, []).append(activity)
    return result


def supervisors(*, on: date | None = None) -> QuerySet[SupervisorAppointment]:
    """The 监督员 register; `on` keeps the appointments in office that day."""
    qs = SupervisorAppointment.objects.select_related("member__sector", "department")
    if on is not None:
        qs = qs.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    return qs


# --- cases ---------------------------------------------------------------------------------------------


def cases_visible_to(user) -> QuerySet[Case]:
    role = _role(user)
    qs = Case.objects.select_related("member", "station", "opinion_report")
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        return qs.filter(member__user=user)
    return qs.none()


def access_case(user, pk) -> Case:
    case = cases_visible_to(user).filter(pk=pk).first()
    if case is None:
        raise Http404("民情不存在。")
    return case


@remembered_figures
def case_counts(year: int) -> dict:
    """Cases opened in the year, and those of them resolved (or turned into 社情民意)."""
    row = Case.objects.filter(created_at__year=year).aggregate(
        opened=Count("pk"),
        resolved=Count("pk", filter=Q(state=Case.State.RESOLVED)),
        converted=Count("pk", filter=Q(state=Case.State.CONVERTED)),
    )
    return row


# --- training coverage and the year's figures ------------------------------------------------------------


def _pct(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


@remembered_figures
def training_coverage(year: int) -> dict:
    """Members trained ÷ serving members; new members (whose term started with this year's term, i.e.
    created in the year) separately. A member counts once however many courses they attended."""
    serving = Member.objects.filter(status=Member.Status.SERVING)
    trained = Participant.objects.filter(
        activity__kind=Activity.Kind.TRAINING,
        activity__start__year=year,
        status=Participant.Status.PRESENT,
        member__status=Member.Status.SERVING,
    )
    # counted in SQL (one row each), not by pulling every trained member's id into Python
    row = serving.aggregate(
        serving=Count("pk"),
        new_members=Count("pk", filter=Q(created_at__year=year)),
        trained=Count("pk", filter=Q(pk__in=trained.values("member_id"))),
        new_trained=Count("pk", filter=Q(created_at__year=year, pk__in=trained.values("member_id"))),
    )
    serving_count, new_count, trained_count, new_trained = (
        row["serving"],
        row["new_members"],
        row["trained"],
        row["new_trained"],
    )
    return {
        "year": year,
        "serving": serving_count,
        "trained": trained_count,
        "coverage": _pct(trained_count, serving_count),
        "new_members": new_count,
        "new_trained": new_trained,
        "new_coverage": _pct(new_trained, new_count),
    }


def activity_kind_counts(year: int) -> dict:
    """The year's activities by kind, cancelled ones left out (one query)."""
    return dict(
        Activity.objects.filter(start__year=year)
        .exclude(state=Activity.State.CANCELLED)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )


@remembered_figures
def activity_year_stats(year: int) -> dict:
    """The activities line of the year's work report: counts by kind and person-times by attendance."""
    by_kind = activity_kind_counts(year)
    person_times = dict(
        Participant.objects.filter(activity__start__year=year, status=Participant.Status.PRESENT)
        .values_list("activity__kind")
        .annotate(n=Count("pk"))
        .values_list("activity__kind", "n")
    )
    coverage = training_coverage(year)
    return {
        "inspection": by_kind.get(Activity.Kind.INSPECTION, 0),
        "research": by_kind.get(Activity.Kind.RESEARCH, 0),
        "supervision": by_kind.get(Activity.Kind.SUPERVISION, 0),
        "training": by_kind.get(Activity.Kind.TRAINING, 0),
        "reception": by_kind.get(Activity.Kind.RECEPTION, 0),
        "hearing": by_kind.get(Activity.Kind.HEARING, 0),
        "supervision_person_times": person_times.get(Activity.Kind.SUPERVISION, 0),
        "hearing_person_times": person_times.get(Activity.Kind.HEARING, 0),
        "training_person_times": person_times.get(Activity.Kind.TRAINING, 0),
        "reception_person_times": person_times.get(Activity.Kind.RECEPTION, 0),
        "members_trained": coverage["trained"],
    }


# --- the staff calendar ------------------------------------------------------------------------------------


def month_calendar(year: int, month: int) -> dict:
    """A month of the committee's meetings and activities by day (two queries), to avoid clashes: days
    with more than one item are flagged."""
    first = date(year, month, 1)
    days_in_month = calendar.monthrange(year, month)[1]
    tz = timezone.get_current_timezone()
    lo = datetime.combine(first, time.min, tzinfo=tz)
    hi = lo + timedelta(days=days_in_month)
    items: OrderedDict[date, list] = OrderedDict(
        (first + timedelta(days=i), []) for i in range(days_in_month)
    )
    for m in Meeting.objects.filter(start__gte=lo, start__lt=hi).exclude(state="cancelled").order_by("start"):
        local = timezone.localtime(m.start)
        items[local.date()].append(
            {
                "kind": "meeting",
                "label": m.get_type_display(),
                "title": m.title,
                "time": local,
                "place": m.place,
                "url": f"/workbench/consultations/meetings/{m.pk}/",
            }
        )
    for a in (
        Activity.objects.filter(start__gte=lo, start__lt=hi)
        .exclude(state=Activity.State.CANCELLED)
        .order_by("start")
    ):
        local = timezone.localtime(a.start)
        items[local.date()].append(
            {
                "kind": "activity",
                "label": a.get_kind_display(),
                "title": a.title,
                "time": local,
                "place": a.place,
                "url": f"/workbench/activities/{a.pk}/",
            }
        )
    for entries in items.values():
        entries.sort(key=lambda e: e["time"])
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = first + timedelta(days=days_in_month)
    return {
        "year": year,
        "month": month,
        "days": [
            {"date": d, "items": entries, "clash": len(entries) > 1, "weekday": "一二三四五六日"[d.weekday()]}
            for d, entries in items.items()
        ],
        "prev": prev_month,
        "next": next_month,
    }
