"""Reads for the staff handling panel, the supervision board and the register export.

Each function costs a fixed number of queries, whatever the number of rows.
"""

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from zhengxie.accounts.models import Department, Role, User

from . import selectors
from .models import Assignment, Evaluation, Proposal, Supervision

State = Proposal.State

# States in which a proposal can be supervised (the service's rule, repeated to hide a useless form).
SUPERVISABLE_STATES = (State.ASSIGNED, State.IN_PROGRESS, State.REHANDLING, State.REPLIED)


def active_departments() -> list[Department]:
    return list(Department.objects.filter(is_active=True).order_by("code"))


def active_leaders() -> list[User]:
    return list(User.objects.filter(role=Role.LEADER, is_active=True).order_by("name", "id"))


def supervisions_of(proposal: Proposal) -> list[Supervision]:
    return list(Supervision.objects.filter(proposal=proposal).select_related("actor"))


def _assignment_row(task: Assignment, today) -> dict:
    """One line of an assignments table; `replies` must be prefetched (selectors._base does)."""
    days_left = task.days_left(today)
    replies = list(task.replies.all())
    return {
        "task": task,
        "days_left": days_left,
        "days_overdue": -days_left,
        "overdue": task.is_open and days_left < 0,
        "due_soon": task.is_open and 0 <= days_left <= 15,
        "reply": replies[-1] if replies else None,
    }


def panel_context(proposal: Proposal, user) -> dict:
    """What the handling panel shows for a proposal from selectors._base (its assignments prefetched).

    An unregistered proposal shows nothing and costs nothing."""
    if proposal is None or proposal.state not in Proposal.REGISTERED_STATES:
        return {"show": False}
    role = user.effective_role if user.is_authenticated else None
    is_staff = role == Role.STAFF
    today = timezone.localdate()
    rows = [_assignment_row(task, today) for task in proposal.assignments.all()]
    needs_departments = is_staff and (
        proposal.state == State.REGISTERED
        or any(row["task"].state == Assignment.State.ADJUSTMENT_REQUESTED for row in rows)
    )
    return {
        "show": True,
        "proposal": proposal,
        "is_staff": is_staff,
        "can_supervise": role in (Role.STAFF, Role.LEADER),
        "rows": rows,
        "departments": active_departments() if needs_departments else [],
        "leaders": active_leaders() if role in (Role.STAFF, Role.LEADER) else [],
        "supervisions": supervisions_of(proposal),
        "supervisable": proposal.state in SUPERVISABLE_STATES,
        "assign_rows": range(5),
        "due_preview": assign_due_preview(today) if is_staff and proposal.state == State.REGISTERED else [],
        "roles": Assignment.Role.choices,
        "supervision_kinds": Supervision.Kind.choices,
    }


def assign_due_preview(today=None) -> list[dict]:
    """The due date each role would get if assigned today, shown before staff confirm 交办."""
    from zhengxie.workflow.calendar import WorkCalendar
    from zhengxie.workflow.selectors import policy_current

    from .services.handling import assign_span

    today = today or timezone.localdate()
    policy = policy_current()
    calendar = WorkCalendar.around(today)
    rows = []
    for roles, role in (
        ("主办、分办（答复）", Assignment.Role.LEAD),
        ("会办（会办意见）", Assignment.Role.CO),
    ):
        span = assign_span(role, policy)
        due = calendar.due(today, span)
        rows.append(
            {"roles": roles, "months": span.rstrip("m"), "date": due.date, "provisional": due.provisional}
        )
    return rows


BOARD_SECTIONS = {
    "key": "重点提案",
    "overdue": "逾期未办结",
    "adjustments": "待处理的调整申请",
    "extensions": "待审批的延期申请",
}
BOARD_OVERDUE_DAYS = (0, 30, 90, 180, 365)
BOARD_PREVIEW = 20  # rows of each section on the overview; ?type=<section> pages through one section
BOARD_PAGE_SIZE = 50


def board_filters(params) -> dict:
    """The board's filters from the query string; anything invalid is ignored."""
    from zhengxie.params import is_int

    department = params.get("department", "")
    days = params.get("overdue_days", "")
    role = params.get("role", "")
    section = params.get("type", "")
    return {
        "department": int(department) if is_int(department) and int(department) > 0 else None,
        "overdue_days": int(days) if is_int(days) and int(days) in BOARD_OVERDUE_DAYS else 0,
        "role": role if role in Assignment.Role.values else "",
        "type": section if section in BOARD_SECTIONS else "",
    }


def board(params=None, *, today=None) -> dict:
    """The supervision board (selectors.supervision_board) as rows ready for the page: a per-department
    summary, then each section's first rows and its count; with `type`, one section paged. A fixed number of
    queries whatever the rows, each reading at most a page (counts capped, zhengxie.paging)."""
    from zhengxie.paging import CappedPaginator, capped_count

    today = today or timezone.localdate()
    filters = board_filters(params or {})
    data = selectors.supervision_board(
        today, department=filters["department"], overdue_days=filters["overdue_days"], role=filters["role"]
    )
    sections = {}
    page = None
    for name, label in BOARD_SECTIONS.items():
        if filters["type"] and name != filters["type"]:
            continue
        qs = data[name]
        if filters["type"]:
            page = CappedPaginator(qs, BOARD_PAGE_SIZE).get_page((params or {}).get("page"))
            rows, count, exact = list(page.object_list), page.paginator.count, page.paginator.count_exact
        else:
            rows = list(qs[: BOARD_PREVIEW + 1])
            count, exact = (len(rows), True) if len(rows) <= BOARD_PREVIEW else capped_count(qs)
            rows = rows[:BOARD_PREVIEW]
        if name != "key":
            rows = [_board_row(t, today) for t in rows]
        sections[name] = {
            "label": label,
            "rows": rows,
            "count": count,
            "count_label": str(count) if exact else f"{count:,}+",
            "more": not filters["type"] and count > len(rows),
        }
    return {
        "filters": filters,
        "sections": sections,
        "page": page,
        "summary": selectors.supervision_summary(
            today, overdue_days=filters["overdue_days"], role=filters["role"]
        ),
        "departments": active_departments(),
        "overdue_day_choices": BOARD_OVERDUE_DAYS[1:],
        "role_choices": Assignment.Role.choices,
        "section_choices": list(BOARD_SECTIONS.items()),
    }


def _board_row(task: Assignment, today) -> dict:
    days_left = task.days_left(today)
    return {"task": task, "days_left": days_left, "days_overdue": -days_left}


def with_register_prefetches(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The register needs the evaluations too (assignments, replies and co-signers come from _base)."""
    seen = {getattr(lookup, "prefetch_to", lookup) for lookup in qs._prefetch_related_lookups}
    if "evaluations" in seen:
        return qs
    return qs.prefetch_related(
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("handling_round", "id"))
    )


def proposal_register(user, *, params) -> QuerySet[Proposal]:
    """The register export: the proposals the user may see, filtered as on the staff list."""
    qs = selectors.proposals_filter(selectors.proposals_visible_to(user), params=params, user=user)
    return with_register_prefetches(qs).order_by(
        "-term__number",
        F("plenary__number").asc(nulls_last=True),
        F("serial").asc(nulls_last=True),
        "id",
    )


def co_units_waiting(proposal_id: int) -> list[str]:
    """Names of the 会办 units of a proposal that have not given their opinion yet (open tasks)."""
    return list(
        Assignment.objects.filter(
            proposal_id=proposal_id, role=Assignment.Role.CO, state__in=Assignment.OPEN_STATES
        )
        .order_by("id")
        .values_list("department__name", flat=True)
    )


def can_read_reply_letter(user, reply) -> bool:
    """A reply's uploaded 答复函 follows the reply itself (selectors.reply_rule, the one rule of the pages
    and the API): whoever may read the reply may open its letter, and nobody else. A member who is not a
    proposer or co-signer reads it only on a published proposal whose reply is published."""
    if not user.is_authenticated:
        return False
    proposal = reply.assignment.proposal
    if user.effective_role == Role.MEMBER and not (
        proposal.is_published or selectors._participant(user, proposal)
    ):
        return False
    return selectors.reply_rule(user, proposal)(reply.assignment)


def reply_letter_for(user, reply_pk: int, *, proposal_id: int | None = None):
    """The Reply whose letter the user may download, or Http404 (never 403: others do not learn it exists)."""
    from django.http import Http404

    from .models import Reply

    qs = Reply.objects.select_related("assignment__proposal__proposer").exclude(letter="")
    if proposal_id is not None:
        qs = qs.filter(assignment__proposal_id=proposal_id)
    reply = qs.filter(pk=reply_pk).first()
    if reply is None or not can_read_reply_letter(user, reply):
        raise Http404("答复函不存在。")
    return reply


def reply_letter_response(reply):
    from django.http import FileResponse, Http404

    try:
        handle = reply.letter.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=reply.letter.name.rsplit("/", 1)[-1])
