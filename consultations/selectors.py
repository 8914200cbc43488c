"""Reads for consultation pages, the API and reports; who may see what is decided here.

Staff and leaders see everything. Members see approved plans and their topics, and only the meetings
they are invited to. A department sees the topics it cooperates on. Anything else is a 404.
"""

from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.params import is_int, parse_year
from zhengxie.workflow.selectors import history_of

from .models import Attendance, ConsultationPlan, Meeting, ResearchActivity, Speech, Topic


def _role(user) -> str | None:
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.effective_role


def member_of(user) -> Member | None:
    if _role(user) != Role.MEMBER:
        return None
    return Member.objects.filter(user=user).first()


# --- plans -------------------------------------------------------------------------------------------


def plans_visible_to(user) -> QuerySet[ConsultationPlan]:
    role = _role(user)
    qs = ConsultationPlan.objects.annotate(topic_count=Count("topics")).order_by("-year")
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role in (Role.MEMBER, Role.DEPARTMENT):
        return qs.filter(state=ConsultationPlan.State.APPROVED)
    return qs.none()


def access_plan(user, pk) -> ConsultationPlan:
    plan = plans_visible_to(user).filter(pk=pk).first()
    if plan is None:
        raise Http404("计划不存在。")
    return plan


def plan_topics(plan: ConsultationPlan) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(plan=plan)
        .select_related("lead_committee")
        .prefetch_related("departments")
        .order_by("planned_month", "id")
    )


def plan_board(plan: ConsultationPlan) -> dict:
    """The staff board: the plan's topics by state and by planned month (one query for the topics)."""
    topics = list(plan_topics(plan))
    by_state = OrderedDict((state, {"label": label, "topics": []}) for state, label in Topic.State.choices)
    by_month = OrderedDict((m, []) for m in range(1, 13))
    unscheduled = []
    for topic in topics:
        by_state[topic.state]["topics"].append(topic)
        (by_month[topic.planned_month] if topic.planned_month else unscheduled).append(topic)
    return {
        "topics": topics,
        "by_state": by_state,
        "by_month": [(m, ts) for m, ts in by_month.items()],
        "unscheduled": unscheduled,
    }


# --- topics ------------------------------------------------------------------------------------------


def topics_visible_to(user) -> QuerySet[Topic]:
    role = _role(user)
    qs = Topic.objects.select_related("plan", "lead_committee", "outcome", "feedback").prefetch_related(
        "departments"
    )
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        return qs.filter(plan__state=ConsultationPlan.State.APPROVED)
    if role == Role.DEPARTMENT:
        return qs.filter(departments=user.department_id)
    return qs.none()


LINKABLE_TOPIC_YEARS = 2  # this year's plan (and next year's, once drafted) and last year's


def linkable_topics() -> QuerySet[Topic]:
    """The topics a new meeting or 网络议政 may name in its form: those of this year's plan, last year's and
    any later one. Every topic ever planned made the choice list grow with history on every view."""
    return Topic.objects.filter(plan__year__gte=timezone.localdate().year - (LINKABLE_TOPIC_YEARS - 1))


def topics_filter(qs: QuerySet[Topic], *, params) -> QuerySet[Topic]:
    if is_int(params.get("plan", "")):
        qs = qs.filter(plan_id=int(params["plan"]))
    if is_int(params.get("year", "")):
        qs = qs.filter(plan__year=int(params["year"]))
    if params.get("state"):
        qs = qs.filter(state__in=params["state"].split(","))
    if params.get("type"):
        qs = qs.filter(type__in=params["type"].split(","))
    if is_int(params.get("month", "")):
        qs = qs.filter(planned_month=int(params["month"]))
    return qs


def access_topic(user, pk) -> Topic:
    topic = topics_visible_to(user).filter(pk=pk).first()
    if topic is None:
        raise Http404("议题不存在。")
    return topic


def topic_research(topic: Topic) -> list[ResearchActivity]:
    return list(topic.research_activities.prefetch_related("participants").order_by("date", "id"))


def topic_meetings(topic: Topic) -> list[Meeting]:
    return list(
        topic.meetings.annotate(
            invited=Count("attendances", distinct=True),
            present=Count("attendances", filter=Q(attendances__status="present"), distinct=True),
        ).order_by("start")
    )


def topic_history(topic: Topic):
    return history_of(topic)


# --- meetings ----------------------------------------------------------------------------------------


def meetings_visible_to(user) -> QuerySet[Meeting]:
    role = _role(user)
    qs = (
        Meeting.objects.select_related("topic")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("member").order_by("member__name", "id"),
            )
        )
        .order_by("-start", "-id")
    )
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.MEMBER:
        return qs.filter(attendances__member__user=user)
    return qs.none()


def meetings_brief(qs: QuerySet[Meeting], user) -> QuerySet[Meeting]:
    """A list of meetings without every invitee (a plenary invites every serving member: 50k rows a
    province): only the reader's own attendance is prefetched, and n_invited / n_present / n_leave /
    n_absent are counted per shown meeting by correlated subqueries (run for the page's rows only)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery

    def counted(**condition):
        rows = (
            Attendance.objects.filter(meeting=OuterRef("pk"), **condition)
            .order_by()
            .values("meeting")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Subquery(rows, output_field=IntegerField())

    own = Attendance.objects.filter(member__user_id=getattr(user, "pk", None)).select_related("member")
    return (
        qs.prefetch_related(None)
        .prefetch_related(Prefetch("attendances", queryset=own.order_by("id")))
        .annotate(
            n_invited=counted(),
            n_present=counted(status=Attendance.Status.PRESENT),
            n_leave=counted(status=Attendance.Status.LEAVE),
            n_absent=counted(status=Attendance.Status.ABSENT),
        )
    )


def meetings_filter(qs: QuerySet[Meeting], *, params) -> QuerySet[Meeting]:
    if is_int(params.get("topic", "")):
        qs = qs.filter(topic_id=int(params["topic"]))
    if params.get("state"):
        qs = qs.filter(state__in=params["state"].split(","))
    if params.get("type"):
        qs = qs.filter(type__in=params["type"].split(","))
    year = parse_year(params.get("year"))
    if year is not None:
        qs = qs.filter(start__year=year)
    if is_int(params.get("plenary", "")):
        qs = qs.filter(plenary_id=int(params["plenary"]))
    if params.get("upcoming") in ("1", "true"):
        qs = qs.filter(end__gte=timezone.now())
    return qs


def access_meeting(user, pk) -> Meeting:
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("活动不存在。")
    return meeting


def meeting_speeches(meeting: Meeting) -> list[Speech]:
    """The speeches in the 汇编's order: oral first, then by the staff's order, then as submitted."""
    return list(meeting.speeches.select_related("member__sector"))


def meeting_history(meeting: Meeting):
    return history_of(meeting)


def my_invitations(member: Member) -> QuerySet[Attendance]:
    """A member's invitations, the coming ones first."""
    return (
        Attendance.objects.filter(member=member)
        .exclude(meeting__state=Meeting.State.CANCELLED, meeting__start__lt=timezone.now())
        .select_related("meeting", "meeting__topic")
        .order_by("-meeting__start", "-id")
    )


def attendance_of(meeting: Meeting, member: Member | None) -> Attendance | None:
    if member is None:
        return None
    return Attendance.objects.filter(meeting=meeting, member=member).first()


def speech_of(meeting: Meeting, member: Member | None) -> Speech | None:
    if member is None:
        return None
    return Speech.objects.filter(meeting=meeting, member=member).first()


def attendance_summary(rows) -> dict:
    summary = {"invited": 0, "present": 0, "leave": 0, "absent": 0, "unrecorded": 0, "attend": 0}
    for row in rows:
        summary["invited"] += 1
        summary[row.status or "unrecorded"] += 1
        summary["attend"] += row.reply == Attendance.Reply.ATTEND
    return summary


def attendance_summaries(meeting_ids) -> dict[int, dict]:
    """attendance_summary for many meetings in one grouped query (a list of meetings never loads every
    attendance row of every meeting)."""
    summaries = {
        pk: {"invited": 0, "present": 0, "leave": 0, "absent": 0, "unrecorded": 0, "attend": 0}
        for pk in meeting_ids
    }
    rows = (
        Attendance.objects.filter(meeting_id__in=list(summaries))
        .order_by()
        .values("meeting_id", "status", "reply")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        summary = summaries[row["meeting_id"]]
        summary["invited"] += row["n"]
        summary[row["status"] or "unrecorded"] += row["n"]
        if row["reply"] == Attendance.Reply.ATTEND:
            summary["attend"] += row["n"]
    return summaries


def invitable_members() -> QuerySet[Member]:
    return Member.objects.filter(status=Member.Status.SERVING).order_by("name", "id")


ACTION_LABELS = {
    "create": "创建",
    "approve": "党委批准",
    "plan_approve": "随计划批准",
    "start_research": "开始调研",
    "hold": "举行协商活动",
    "submit_outcome": "报送协商成果",
    "feedback": "登记采纳反馈",
    "close": "办结",
    "cancel": "取消",
    "update": "修改",
    "reschedule": "改期",
}


def history_rows(log, state_labels: dict) -> list[dict]:
    """The transition log with Chinese labels, for the detail pages."""
    return [
        {
            "at": entry.at,
            "actor": entry.actor.display_name if entry.actor_id else "系统",
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "from_state": state_labels.get(entry.from_state, entry.from_state),
            "to_state": state_labels.get(entry.to_state, entry.to_state),
            "comment": entry.comment,
        }
        for entry in log
    ]


# --- sessions: leave, agenda, materials, opinions ----------------------------------------------------


def meeting_agenda(meeting: Meeting) -> list:
    return list(meeting.agenda.all())


def meeting_materials(meeting: Meeting, user) -> list:
    """Materials with their read counts; members see the published ones only."""
    qs = meeting.materials.select_related("agenda_item").annotate(read_count=Count("reads"))
    if not (user.is_office_staff or _role(user) == Role.LEADER):
        qs = qs.filter(published_at__isnull=False)
    return list(qs.order_by("agenda_item__order", "id"))


def access_material(user, pk):
    """A material for an invitee of its meeting (published only), staff or a leader; 404 otherwise."""
    from .models import Material
    from .sessions import require_reader

    material = Material.objects.select_related("meeting").filter(pk=pk).first()
    if material is None:
        raise Http404("材料不存在。")
    try:
        require_reader(user, material)
    except PermissionDenied:
        raise Http404("材料不存在。") from None
    return material


def material_readers(material) -> list:
    return list(material.reads.select_related("user").order_by("first_read_at"))


def meeting_leave_requests(meeting: Meeting, user) -> list:
    """Staff and leaders see the meeting's leave board; a member sees only their own requests."""
    from .models import LeaveRequest

    qs = LeaveRequest.objects.filter(meeting=meeting).select_related("member", "decided_by")
    if not (user.is_office_staff or _role(user) == Role.LEADER):
        qs = qs.filter(member__user=user)
    return list(qs.order_by("created_at", "id"))


def access_leave_request(user, pk):
    """Leave requests are decided by staff; anyone else gets 404."""
    from .models import LeaveRequest

    leave = None
    if user.is_authenticated and user.is_office_staff:
        leave = LeaveRequest.objects.select_related("meeting", "member").filter(pk=pk).first()
    if leave is None:
        raise Http404("请假申请不存在。")
    return leave


def meeting_report_opinions(meeting: Meeting, report: str | None = None) -> list:
    qs = meeting.report_opinions.select_related("member__sector")
    if report:
        qs = qs.filter(report=report)
    return list(qs.order_by("report", "id"))


def report_opinion_counts(meeting: Meeting) -> dict:
    rows = meeting.report_opinions.values("report").annotate(n=Count("id"))
    return {row["report"]: row["n"] for row in rows}


# --- votes -------------------------------------------------------------------------------------------


def meeting_votes(meeting: Meeting) -> list:
    return list(meeting.votes.prefetch_related("candidate_rows__member").order_by("created_at", "id"))


def access_vote(user, pk):
    """Staff and leaders see every vote; a member only the votes of meetings they are invited to."""
    from .models import Vote

    qs = Vote.objects.select_related("meeting").prefetch_related("candidate_rows__member")
    role = _role(user)
    if role == Role.MEMBER:
        qs = qs.filter(meeting__attendances__member__user=user)
    elif role not in (Role.STAFF, Role.LEADER):
        qs = qs.none()
    vote = qs.filter(pk=pk).first()
    if vote is None:
        raise Http404("表决不存在。")
    return vote


def vote_progress(vote) -> dict:
    """What may be shown while a vote is open: how many may vote and how many have (never how)."""
    from .models import VoterMark

    attendances = Attendance.objects.filter(meeting_id=vote.meeting_id)
    if vote.state == "closed":
        eligible, present = vote.eligible, vote.present
    else:
        eligible = attendances.count()
        present = attendances.filter(status=Attendance.Status.PRESENT).count()
    return {"eligible": eligible, "present": present, "cast": VoterMark.objects.filter(vote=vote).count()}


def has_voted(vote, user) -> bool:
    from .models import VoterMark

    return VoterMark.objects.filter(vote=vote, member__user=user).exists()


def named_ballots(vote) -> list[dict]:
    """A named (记名) vote's ballots with their voters, after close only; a secret vote has none."""
    from .models import Ballot

    if vote.secret or vote.state != "closed":
        return []
    rows = Ballot.objects.filter(vote=vote).select_related("voter").prefetch_related("chosen__member")
    return [
        {
            "member": b.voter_id,
            "name": b.voter.name if b.voter_id else "",
            "choice": b.choice,
            "candidates": [c.member_id for c in b.chosen.all()],
        }
        for b in sorted(rows, key=lambda b: (b.voter.name if b.voter_id else "", str(b.pk)))
    ]
