"""社情民意 reads: who sees what, the lists and detail pages, the bulletin composer, the portal source's
counts and the yearly statistics. Every list costs a constant number of queries."""

from datetime import timedelta

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from members.models import Member
from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.figures_cache import remembered_figures
from zhengxie.params import is_int, parse_year

from .models import (
    Bulletin,
    BulletinItem,
    Forwarding,
    Instruction,
    OpinionReport,
    Transfer,
    UpperAdoption,
)

State = OpinionReport.State
TaskState = Transfer.State


def without_others_drafts(qs: QuerySet[OpinionReport], user) -> QuerySet[OpinionReport]:
    """A draft is its author's until submitted: the office (pages, API and admin) never sees it."""
    return qs.filter(~Q(state=State.DRAFT) | Q(created_by=user))


def others_drafts(user) -> QuerySet[OpinionReport]:
    drafts = OpinionReport.objects.filter(state=State.DRAFT)
    return drafts.exclude(created_by=user) if user.is_authenticated else drafts


def opinion_reports_visible_to(user) -> QuerySet[OpinionReport]:
    """Staff and leaders see every submitted report (and their own drafts); a member sees the reports
    they reflected or entered; departments see reports only through their transfers."""
    qs = OpinionReport.objects.select_related("reflector", "created_by")
    if not user.is_authenticated:
        return qs.none()
    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER):
        return without_others_drafts(qs, user)
    if role == Role.MEMBER and hasattr(user, "member"):
        return qs.filter(Q(reflector=user.member) | Q(created_by=user))
    return qs.none()


def reports_filter(qs: QuerySet[OpinionReport], *, params) -> QuerySet[OpinionReport]:
    state = (params.get("state") or "").strip()
    if state:
        qs = qs.filter(state__in=[s for s in state.split(",") if s])
    if (params.get("year") or "").strip():
        year = parse_year(params.get("year"))
        if year is None:
            return qs.none()
        qs = qs.filter(Q(submitted_at__year=year) | Q(submitted_at__isnull=True, created_at__year=year))
    for name in ("category", "reflector_kind"):
        value = (params.get(name) or "").strip()
        if value:
            qs = qs.filter(**{name: value})
    if (params.get("urgent") or "").lower() in ("1", "true"):
        qs = qs.filter(is_urgent=True)
    if (params.get("available") or "").lower() in ("1", "true"):
        qs = qs.filter(state=State.ADOPTED, bulletin_item__isnull=True)
    q = (params.get("q") or "").strip()
    if q:
        qs = text_search(qs, q)
    return qs


def text_search(qs: QuerySet[OpinionReport], q: str) -> QuerySet[OpinionReport]:
    """A list's `q` (zhengxie/textsearch.py): the words of the original and edited title and content and of
    the attachments' text (one weighted tsvector, GIN), or an exact reflector name; annotates search_rank."""
    from django.db import connection
    from django.db.models import FloatField, Value

    from zhengxie import textsearch

    q = (q or "").strip()
    extra = None
    if len(q) <= 20 and " " not in q:
        names = list(Member.objects.filter(name=q).values_list("pk", flat=True)[:50])
        if names:
            extra = Q(reflector_id__in=names)
    query = textsearch.parse(q)
    if query is None:
        found = Q(title__icontains=q) | Q(edited_title__icontains=q)
        return qs.filter(found | extra if extra else found).annotate(
            search_rank=Value(0.0, output_field=FloatField())
        )
    if connection.vendor == "postgresql":
        vector = "{t}.opinion_search_vector"
        return textsearch.pg_search(qs, query, vectors=[(vector, 1.0)], title_vector=vector, extra=extra)
    match = textsearch.word_match_q(query, ["search_title", "search_content", "search_files"])
    return qs.filter(match | extra if extra else match).annotate(
        search_rank=Value(0.0, output_field=FloatField())
    )


def with_list_related(qs: QuerySet[OpinionReport]) -> QuerySet[OpinionReport]:
    """What a list row shows: its source proposal, its bulletin and how many 批示 it has."""
    # A correlated count per shown row, not a join + GROUP BY: grouping made the database aggregate every
    # visible report before it could take the newest 20 (2 s at 50k reports).
    per_report = (
        Instruction.objects.filter(report=OuterRef("pk"))
        .order_by()
        .values("report")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.select_related("source_proposal", "bulletin_item__bulletin").annotate(
        instruction_count=Coalesce(Subquery(per_report, output_field=IntegerField()), 0)
    )


def with_detail_related(qs: QuerySet[OpinionReport]) -> QuerySet[OpinionReport]:
    return qs.select_related("source_proposal", "bulletin_item__bulletin", "adopted_by").prefetch_related(
        Prefetch("instructions", queryset=Instruction.objects.order_by("date", "id")),
        "attachments",
        Prefetch(
            "forwardings", queryset=Forwarding.objects.select_related("bulletin").order_by("date", "id")
        ),
        Prefetch("upper_adoptions", queryset=UpperAdoption.objects.order_by("date", "id")),
        Prefetch("transfers", queryset=Transfer.objects.select_related("department").order_by("id")),
    )


def access_report(user, pk) -> OpinionReport:
    """One report the user may see, with everything its detail shows; 404 otherwise."""
    return get_object_or_404(with_detail_related(opinion_reports_visible_to(user)), pk=pk)


# What a list row of the pages reads (the inbox, a member's own list): no body text (a search's snippets read
# it for the page's rows alone), and of the joined rows only what a row names, not a source proposal's whole
# text.
PAGE_ROW_FIELDS = (
    "title",
    "edited_title",
    "state",
    "is_urgent",
    "category",
    "reflector_kind",
    "reflector_name",
    "reflector__name",
    "created_by",
    "submitted_at",
    "created_at",
    "updated_at",
    "source_proposal__opinion_report",
    "bulletin_item__report",
    "bulletin_item__bulletin__year",
    "bulletin_item__bulletin__number",
)


def staff_inbox(params) -> QuerySet[OpinionReport]:
    """The office's inbox: submitted first (急事急报 on top), then the rest, newest first."""
    qs = OpinionReport.objects.exclude(state=State.DRAFT).select_related("reflector")
    if not (params.get("state") or "").strip():
        qs = qs.filter(state=State.SUBMITTED)
    qs = reports_filter(qs, params=params)
    rows = with_list_related(qs).only(*PAGE_ROW_FIELDS)
    return textsearch.ordered(rows, params, "-is_urgent", "-submitted_at", "-id")


def my_reports(member) -> QuerySet[OpinionReport]:
    qs = OpinionReport.objects.filter(Q(reflector=member) | Q(created_by_id=member.user_id))
    rows = with_list_related(qs.select_related("reflector")).only(*PAGE_ROW_FIELDS)
    return rows.order_by("-created_at", "-id")


def adoptable_reports() -> QuerySet[OpinionReport]:
    """Adopted reports not yet in any bulletin: the composer's pick list."""
    return (
        OpinionReport.objects.filter(state=State.ADOPTED, bulletin_item__isnull=True)
        .select_related("reflector")
        .order_by("-is_urgent", "adopted_at", "id")
    )


# --- bulletins -------------------------------------------------------------------------------------


def bulletins_visible_to(user) -> QuerySet[Bulletin]:
    if user.is_authenticated and user.effective_role in (Role.STAFF, Role.LEADER):
        return Bulletin.objects.all()
    return Bulletin.objects.none()


def with_items(qs: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    return qs.select_related("created_by").prefetch_related(
        Prefetch(
            "items",
            queryset=BulletinItem.objects.select_related("report__reflector").order_by("order", "id"),
        )
    )


def access_bulletin(user, pk) -> Bulletin:
    return get_object_or_404(with_items(bulletins_visible_to(user)), pk=pk)


def bulletins_filter(qs: QuerySet[Bulletin], *, params) -> QuerySet[Bulletin]:
    if (params.get("year") or "").strip():
        year = parse_year(params.get("year"))
        if year is None:
            return qs.none()
        qs = qs.filter(year=year)
    state = (params.get("state") or "").strip()
    if state:
        qs = qs.filter(state=state)
    return qs


def year_list(year: int) -> list[BulletinItem]:
    """Every report printed in the year's issues, issue by issue: the Excel list of the year."""
    return list(
        BulletinItem.objects.filter(bulletin__year=year)
        .select_related("bulletin", "report__reflector")
        .prefetch_related("report__instructions", "report__forwardings", "report__upper_adoptions")
        .order_by("bulletin__number", "order", "id")
    )


# --- transfers -------------------------------------------------------------------------------------


def transfers_visible_to(user) -> QuerySet[Transfer]:
    qs = Transfer.objects.select_related("department", "report__reflector").defer(
        *(f"report__{name}" for name in OpinionReport.SEARCH_FIELDS)
    )
    if not user.is_authenticated:
        return qs.none()
    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER):
        return qs
    if role == Role.DEPARTMENT and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def transfers_filter(qs: QuerySet[Transfer], *, params, today=None) -> QuerySet[Transfer]:
    today = today or timezone.localdate()
    state = (params.get("state") or "").strip()
    if state:
        qs = qs.filter(state__in=[s for s in state.split(",") if s])
    if (params.get("overdue") or "").lower() in ("1", "true"):
        qs = qs.filter(state__in=Transfer.OPEN_STATES, due_date__lt=today)
    due_before = (params.get("due_before") or "").strip()
    if due_before:
        try:
            from datetime import date

            qs = qs.filter(due_date__lt=date.fromisoformat(due_before))
        except ValueError:
            pass
    report = (params.get("report") or "").strip()
    if is_int(report):
        qs = qs.filter(report_id=int(report))
    return qs


def access_transfer(user, pk) -> Transfer:
    return get_object_or_404(transfers_visible_to(user), pk=pk)


@remembered_figures
def transfer_portal_counts(department_id: int, *, today, soon_days: int) -> dict:
    """The portal's 社情民意 numbers, remembered like portal_counts (its 已答复 is every transfer answered)."""
    open_q = Q(state__in=Transfer.OPEN_STATES)
    return Transfer.objects.filter(department_id=department_id).aggregate(
        pending=Count("pk", filter=Q(state=TaskState.PENDING)),
        in_progress=Count("pk", filter=Q(state__in=[TaskState.ACCEPTED, TaskState.ADJUSTMENT_REQUESTED])),
        due_soon=Count(
            "pk", filter=open_q & Q(due_date__gte=today, due_date__lte=today + timedelta(days=soon_days))
        ),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        replied=Count("pk", filter=Q(state__in=[TaskState.REPLIED, TaskState.CLOSED])),
    )


def transfer_portal_rows(department_id: int, *, status: str, today, soon_days: int, limit: int):
    return _transfer_portal_tasks(department_id, status=status, today=today, soon_days=soon_days)[:limit]


def transfer_portal_search(department_id: int, *, status: str, today, soon_days: int, q: str):
    """The department's transfers under `status` whose report text as the department sees it (the office's
    edit, else the original: never the other) or its own reply contains the words of `q`: substring matches
    over its own rows, read only for the reports whose words match (their GIN index) or that it has replied
    to (the busiest department of a province has thousands of open transfers: reading every report's text
    took ~190 ms for any search, a proposal number included)."""
    from django.db import connection
    from django.db.models import BooleanField, Case, F, When

    qs = _transfer_portal_tasks(department_id, status=status, today=today, soon_days=soon_days)
    query = textsearch.parse(q)
    seen_title = Case(
        When(report__edited_title="", then=F("report__title")), default=F("report__edited_title")
    )
    seen_content = Case(
        When(report__edited_content="", then=F("report__content")), default=F("report__edited_content")
    )
    qs = qs.alias(seen_title=seen_title, seen_content=seen_content).only(
        *TRANSFER_PORTAL_FIELDS, "report__content", "report__edited_content"
    )
    if query is None:
        return qs.filter(seen_title__icontains=q.strip())
    if connection.vendor == "postgresql":
        words = textsearch.TableSQL(
            "{t}.opinion_search_vector @@ to_tsquery('simple', %s)", [query.tsquery()], BooleanField()
        )
        worded = OpinionReport.objects.alias(words=words).filter(words=True).values("pk")
        qs = qs.filter(Q(report_id__in=worded) | ~Q(reply_content=""))
    fields = ["seen_title", "seen_content", "reply_content"]
    return qs.filter(textsearch.word_match_q(query, fields, lookup="icontains"))


def _transfer_portal_tasks(department_id: int, *, status: str, today, soon_days: int):
    open_q = Q(state__in=Transfer.OPEN_STATES)
    done_q = Q(state__in=[TaskState.REPLIED, TaskState.CLOSED])
    filters = {
        "open": open_q,
        "pending": Q(state=TaskState.PENDING),
        "in_progress": Q(state__in=[TaskState.ACCEPTED, TaskState.ADJUSTMENT_REQUESTED]),
        "due_soon": open_q & Q(due_date__gte=today, due_date__lte=today + timedelta(days=soon_days)),
        "overdue": open_q & Q(due_date__lt=today),
        "replied": done_q,
        "all": open_q | done_q,
    }
    return (
        Transfer.objects.filter(filters.get(status, open_q), department_id=department_id)
        .select_related("report")
        .only(*TRANSFER_PORTAL_FIELDS)
        .order_by("due_date", "id")
    )


TRANSFER_PORTAL_FIELDS = (
    "pk",
    "state",
    "due_date",
    "due_provisional",
    "report__id",
    "report__title",
    "report__edited_title",
)


# --- statistics ------------------------------------------------------------------------------------

_STAT_KEYS = (
    "received",
    "adopted",
    "not_adopted",
    "published",
    "forwarded",
    "upper_adopted",
    "instructed",
    "transferred",
    "closed",
)


def _stat_counts():
    adopted_states = [State.ADOPTED, State.PUBLISHED, State.FORWARDED, State.TRANSFERRED, State.CLOSED]
    return {
        "received": Count("pk"),
        "adopted": Count("pk", filter=Q(state__in=adopted_states)),
        "not_adopted": Count("pk", filter=Q(state=State.NOT_ADOPTED)),
        "published": Count("pk", filter=Q(published_at__isnull=False)),
        # `id IN (SELECT report_id …)`: one hashed subplan per query, not a lookup per report (a correlated
        # EXISTS cost ~0.1 ms a report, seconds for a province's year).
        "forwarded": Count("pk", filter=Q(pk__in=Forwarding.objects.values("report_id"))),
        "upper_adopted": Count("pk", filter=Q(pk__in=UpperAdoption.objects.values("report_id"))),
        "instructed": Count("pk", filter=Q(pk__in=Instruction.objects.values("report_id"))),
        "transferred": Count("pk", filter=Q(pk__in=Transfer.objects.values("report_id"))),
        "closed": Count("pk", filter=Q(state=State.CLOSED)),
    }


def _rate(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def opinion_year_counts(year: int) -> dict:
    """The few figures of the year the statistics page and the year's work report show, in three
    queries (opinion_report_stats has them all, by kind, category and member): received, adopted,
    adoption_rate, instructed (reports with a leader's instruction), instructions (how many) and by
    level, published_issues. Counted exactly as opinion_report_stats counts them."""
    base = OpinionReport.objects.filter(submitted_at__year=year).exclude(state=State.DRAFT)
    adopted_states = [State.ADOPTED, State.PUBLISHED, State.FORWARDED, State.TRANSFERRED, State.CLOSED]
    totals = base.aggregate(
        received=Count("pk"),
        adopted=Count("pk", filter=Q(state__in=adopted_states)),
        instructed=Count("pk", filter=Q(pk__in=Instruction.objects.values("report_id"))),
    )
    levels = dict(Instruction.Level.choices)
    level_counts = dict(
        Instruction.objects.filter(report__in=base.values("pk"))
        .order_by()
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    return {
        "year": year,
        **totals,
        "adoption_rate": _rate(totals["adopted"], totals["received"]),
        "published_issues": Bulletin.objects.filter(year=year).exclude(state=Bulletin.State.DRAFT).count(),
        "instructions": sum(level_counts.values()),
        "instructions_by_level": [
            {"level": code, "name": name, "count": level_counts.get(code, 0)} for code, name in levels.items()
        ],
    }


@remembered_figures
def opinion_report_stats(year: int, *, member_limit: int | None = None, member_offset: int = 0) -> dict:
    """The year's figures: reports are counted in the year they were submitted; issues by their year.
    `by_member` is every reflecting member, most reports first, or `member_limit` of them from
    `member_offset` (the page and the API: a province's year has thousands); `members` counts them all."""
    base = OpinionReport.objects.filter(submitted_at__year=year).exclude(state=State.DRAFT)
    counts = _stat_counts()
    kinds = dict(OpinionReport.ReflectorKind.choices)
    by_kind = [
        {
            "reflector_kind": row["reflector_kind"],
            "name": kinds.get(row["reflector_kind"], row["reflector_kind"]),
            **{k: row[k] for k in _STAT_KEYS},
        }
        for row in base.order_by().values("reflector_kind").annotate(**counts).order_by("reflector_kind")
    ]
    # Every report has one kind: the totals are the kinds' sums, not another scan of the year.
    totals = {k: sum(row[k] for row in by_kind) for k in _STAT_KEYS}
    by_category = [
        {"category": row["category"] or "未分类", **{k: row[k] for k in _STAT_KEYS}}
        for row in base.order_by().values("category").annotate(**counts).order_by("-received", "category")
    ]
    by_member = [
        {"member": row["reflector"], "name": row["reflector__name"], **{k: row[k] for k in _STAT_KEYS}}
        for row in members_stats(base, counts)[
            member_offset : None if member_limit is None else member_offset + member_limit
        ]
    ]
    complete = member_limit is None or len(by_member) < member_limit
    members = (
        member_offset + len(by_member)
        if complete and (by_member or not member_offset)
        else _member_reports(base).values("reflector").distinct().count()
    )
    issues = Bulletin.objects.filter(year=year).exclude(state=Bulletin.State.DRAFT).count()
    upper = UpperAdoption.objects.filter(report__in=base.values("pk")).aggregate(
        single=Count("pk", filter=Q(kind=UpperAdoption.Kind.SINGLE)),
        compiled=Count("pk", filter=Q(kind=UpperAdoption.Kind.COMPILED)),
    )
    levels = dict(Instruction.Level.choices)
    by_level = (
        Instruction.objects.filter(report__in=base.values("pk")).values("level").annotate(n=Count("pk"))
    )
    level_counts = {row["level"]: row["n"] for row in by_level}
    return {
        "year": year,
        **totals,
        "urgent": base.filter(is_urgent=True).count(),
        "published_issues": issues,
        "upper_adopted_single": upper["single"],
        "upper_adopted_compiled": upper["compiled"],
        "instructions": sum(level_counts.values()),
        "instructions_by_level": [
            {"level": code, "name": name, "count": level_counts.get(code, 0)} for code, name in levels.items()
        ],
        "adoption_rate": _rate(totals["adopted"], totals["received"]),
        "by_reflector_kind": by_kind,
        "by_category": by_category,
        "by_member": by_member,
        "members": members,
    }


def _member_reports(base):
    return base.filter(reflector__isnull=False, reflector_kind=OpinionReport.ReflectorKind.MEMBER)


def members_stats(base, counts=None):
    """Per reflecting member of the reports `base`: the counts of _STAT_KEYS, most reports first."""
    return (
        _member_reports(base)
        .order_by()
        .values("reflector", "reflector__name")
        .annotate(**(counts or _stat_counts()))
        .order_by("-received", "reflector__name", "reflector")
    )


def opinion_member_rows(year: int) -> list[list]:
    """Every reflecting member's counts of the year, as rows of the page's CSV (委员 then MEMBER_COLUMNS)."""
    base = OpinionReport.objects.filter(submitted_at__year=year).exclude(state=State.DRAFT)
    return [[row["reflector__name"], *(row[k] for k in MEMBER_COLUMNS)] for row in members_stats(base)]


MEMBER_COLUMNS = ("received", "adopted", "published", "forwarded", "upper_adopted", "instructed")
