"""Reads of the roster: members, terms with their plenaries, sectors and parties."""

from decimal import Decimal

import django_filters
from django.db.models import Prefetch, QuerySet

from .models import Member, Party, Plenary, Sector, SpecialCommittee, Term


def members_visible_to(user) -> QuerySet[Member]:
    """The roster is open to every signed-in user; which fields they see is members.permissions'."""
    if not (user and user.is_authenticated and user.is_active):
        return Member.objects.none()
    return Member.objects.all()


def member_list(*, user) -> QuerySet[Member]:
    """Members with everything a list row shows, in a constant number of queries."""
    return (
        members_visible_to(user)
        # The login's username is a column of staff rows; its password hash is never needed.
        .select_related("sector", "party", "term", "user")
        .defer("user__password")
        .prefetch_related(Prefetch("committees", queryset=SpecialCommittee.objects.order_by("order", "name")))
        .order_by("name", "id")
    )


class MemberFilter(django_filters.FilterSet):
    sector = django_filters.ModelChoiceFilter(queryset=Sector.objects.all(), label="界别")
    party = django_filters.ModelChoiceFilter(queryset=Party.objects.all(), label="党派")
    status = django_filters.ChoiceFilter(choices=Member.Status.choices, label="状态")
    term = django_filters.ModelChoiceFilter(queryset=Term.objects.all(), label="届")
    committee = django_filters.ModelChoiceFilter(
        field_name="committees", queryset=SpecialCommittee.objects.all(), label="专委会"
    )
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="姓名")

    # Filtering on a field tells whoever filters its value: these filter fields only staff may see
    # (members.permissions), so for anyone else they are refused, not silently applied.
    PRIVATE_FILTERS = ("status", "term", "committee")

    class Meta:
        model = Member
        fields = ["sector", "party", "status", "term", "committee", "q"]

    def is_valid(self):
        from .permissions import may_filter_on_private_fields

        valid = super().is_valid()
        user = getattr(self.request, "user", None)
        if not may_filter_on_private_fields(user):
            for name in self.PRIVATE_FILTERS:
                if self.data.get(name) not in (None, ""):
                    # the same answer whatever the value (an unknown id must not read differently)
                    self.form.errors.pop(name, None)
                    self.form.add_error(name, PRIVATE_FILTER_MESSAGE)
                    valid = False
        return valid


PRIVATE_FILTER_MESSAGE = "只有机关工作人员可以按该条件筛选委员。"


def terms_with_plenaries() -> QuerySet[Term]:
    """Terms, newest first, each with its plenaries in order."""
    return Term.objects.prefetch_related(
        Prefetch("plenaries", queryset=Plenary.objects.order_by("number"))
    ).order_by("-number")


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.order_by("order", "name")


def party_list() -> QuerySet[Party]:
    return Party.objects.order_by("order", "name")


# --- 委员履职 -------------------------------------------------------------------------------------------


def can_view_duty_of(user, member) -> bool:
    """A member's records and score details: the member themself, office staff and leaders."""
    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import has_role

    if has_role(user, Role.STAFF, Role.LEADER):
        return True
    return bool(has_role(user, Role.MEMBER) and member.user_id is not None and member.user_id == user.pk)


def access_member_duty(user, pk) -> Member:
    """The member whose duty file `user` may read, or 404 (never reveal another member's file)."""
    from django.http import Http404

    member = Member.objects.select_related("sector", "party", "user").filter(pk=pk).first()
    if member is None or not can_view_duty_of(user, member):
        raise Http404("委员不存在。")
    return member


def own_member(user) -> Member | None:
    if not (user and user.is_authenticated):
        return None
    return Member.objects.select_related("sector", "party").filter(user=user).first()


def duty_records_of(member, *, year: int | None = None):
    """A member's records (all states), newest first, with sources and photos in constant queries."""
    from .models import DutyRecord

    qs = DutyRecord.objects.filter(member=member)
    if year:
        qs = qs.filter(date__year=year)
    return (
        qs.select_related("member", "content_type", "reviewed_by")
        .prefetch_related("source", "photos")
        .order_by("-date", "-id")
    )


def duty_years_of(member) -> list[int]:
    from .models import DutyRecord

    return sorted(
        {d.year for d in DutyRecord.objects.filter(member=member).dates("date", "year")}, reverse=True
    )


def pending_duty_records():
    from .models import DutyRecord

    return (
        DutyRecord.objects.filter(status=DutyRecord.Status.PENDING)
        .select_related("member__sector")
        .prefetch_related("photos")
        .order_by("date", "id")
    )


def access_duty_record_for_review(user, pk):
    """A duty record staff may review; others get 404 before any role check reveals it exists."""
    from django.http import Http404

    from .models import DutyRecord

    record = DutyRecord.objects.select_related("member").filter(pk=pk).first()
    if record is None or not can_view_duty_of(user, record.member):
        raise Http404("履职记录不存在。")
    return record


# Where a record's source is shown; keyed by "app_label.model". Apps that make duty records from other
# objects may add theirs with register_duty_source_url (members never imports them).
_SOURCE_URLS: dict[str, tuple[str, str]] = {
    "proposals.proposal": ("/proposals/{pk}/", "/workbench/proposals/{pk}/"),
}


def register_duty_source_url(label: str, *, member_url: str, staff_url: str) -> None:
    _SOURCE_URLS[label] = (member_url, staff_url)


def duty_source_link(record, user) -> tuple[str, str]:
    """(label, url) of the thing a record came from; url "" when there is no page for it."""
    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import has_role

    if record.content_type_id is None:
        return "", ""
    source = record.source
    label = str(source) if source is not None else f"{record.content_type.name} #{record.object_id}"
    if source is None:
        return label, ""
    urls = _SOURCE_URLS.get(f"{record.content_type.app_label}.{record.content_type.model}")
    if urls is None:
        return label, ""
    template = urls[1] if has_role(user, Role.STAFF, Role.LEADER) else urls[0]
    return label, template.format(pk=record.object_id)


def ranking_filter(rows, *, sector=None, party=None, committee=None, q=None, grade=None, low=None):
    """Filter a year's ScoreRows (ranks stay those of the whole year)."""
    if sector:
        rows = [r for r in rows if str(r.sector_id) == str(sector)]
    if party:
        rows = [r for r in rows if str(r.party_id) == str(party)]
    if committee:
        ids = set(
            Member.committees.through.objects.filter(specialcommittee_id=committee).values_list(
                "member_id", flat=True
            )
        )
        rows = [r for r in rows if r.member_id in ids]
    if q:
        rows = [r for r in rows if q in r.name]
    if grade:
        rows = [r for r in rows if r.grade == grade]
    if low:
        rows = [r for r in rows if r.below_line]
    return rows


RANKING_ORDERS = {
    "rank": lambda r: (r.rank, r.name),
    "-rank": lambda r: (-r.rank, r.name),
    "name": lambda r: (r.name, r.member_id),
    "sector": lambda r: (r.sector or "\uffff", r.rank, r.name),
    "party": lambda r: (r.party or "\uffff", r.rank, r.name),
    "total": lambda r: (r.total, r.name),
    "-total": lambda r: (-r.total, r.name),
}


def ranking_sort(rows, order: str | None):
    key = RANKING_ORDERS.get(order or "rank", RANKING_ORDERS["rank"])
    return sorted(rows, key=key)


def member_year_score(member, year: int, *, scheme=None):
    """(ScoreRow with by_group/by_kind, scheme) of one member; the rank is within the whole year."""
    from . import scoring

    scheme = scheme or scoring.scheme_for(year)
    ranking = scoring.RankingRows(year, scheme, member_id=member.pk)  # the member's row, not the year's
    found = ranking[0:1]
    if found:
        row = found[0]
    else:
        ranking.count()  # whether the year has plenary records, for the zero row's grade
        grade, note = scoring.honest_grade(Decimal("0"), ranking.plenary_recorded)
        row = scoring.unranked_row(member, [])
        row.grade, row.grade_note = grade, note
    scoring.with_breakdown(scheme, [row])
    return row, scheme


def duty_attendance(year: int) -> dict:
    """The year's duty person-times (人次: confirmed records not 请假/缺席): {"person_times", "members",
    "by_kind": Counter, "members_by_kind": Counter}, read from the rollup members.scoring keeps
    (DutyAttendanceCount: a few rows a year, whatever the number of members)."""
    from collections import Counter

    from .models import DutyAttendanceCount

    by_kind: Counter = Counter()
    members_by_kind: Counter = Counter()
    totals = (0, 0)
    for kind, n, holders in DutyAttendanceCount.objects.filter(year=year, members__gt=0).values_list(
        "kind", "person_times", "members"
    ):
        if kind == "":
            totals = (int(n), holders)
        else:
            by_kind[kind] = int(n)
            members_by_kind[kind] = holders
    return {
        "person_times": totals[0],
        "members": totals[1],
        "by_kind": by_kind,
        "members_by_kind": members_by_kind,
    }


def duty_person_times_by_member(year: int, *, limit: int | None = None) -> list[dict]:
    """Members with person-times in the year, most first (then by name): name, sector, person_times."""
    from .models import MemberYearScore

    rows = (
        MemberYearScore.objects.filter(year=year, person_times__gt=0)
        .values("member__name", "member__sector__name", "person_times")
        .order_by("-person_times", "member__name", "member_id")
    )
    return list(rows[:limit] if limit is not None else rows)


def current_term_with_plenaries() -> Term | None:
    return Term.objects.filter(is_current=True).prefetch_related("plenaries").first()


def first_run_checklist() -> list[dict]:
    """What a fresh office must set up before members can work: 届/会次, holidays, departments, members.

    Four small queries; each item says whether it is done."""
    from django.utils import timezone

    from zhengxie.accounts.models import Department
    from zhengxie.workflow.models import WorkCalendarDay

    year = timezone.localdate().year
    term = Term.objects.filter(is_current=True).first()
    has_plenary = term is not None and Plenary.objects.filter(term=term).exists()
    return [
        {
            "key": "term",
            "title": "本届与会次",
            "done": has_plenary,
            "detail": (
                f"{term.name}已设为本届" + ("，会次已设置。" if has_plenary else "，尚未设置会次。")
                if term
                else "尚未设置本届：在此开启，或运行 python manage.py open_term。"
            ),
            "url_name": "members:terms",
        },
        {
            "key": "calendar",
            "title": f"{year}年节假日",
            "done": WorkCalendarDay.objects.filter(date__year=year).exists(),
            "detail": f"载入{year}年法定节假日与调休（python manage.py load_work_calendar {year}），期限才按工作日计算。",
            "url_name": "admin:workflow_workcalendarday_changelist",
        },
        {
            "key": "departments",
            "title": "承办单位",
            "done": Department.objects.exists(),
            "detail": "导入承办单位及门户账号（python manage.py import_departments 承办单位.xlsx）。",
            "url_name": "admin:accounts_department_changelist",
        },
        {
            "key": "members",
            "title": "委员名册",
            "done": Member.objects.exists(),
            "detail": "导入委员名册及账号（python manage.py import_members 委员名册.xlsx）。",
            "url_name": "admin:members_member_changelist",
        },
    ]


PICK_LIMIT = 20


def serving_members_matching(q: str, *, limit: int = PICK_LIMIT) -> list[Member]:
    """Serving members whose name or sector contains ``q``, by name; at most ``limit + 1`` rows
    (the extra one tells the caller there are more)."""
    from django.db.models import Q

    q = (q or "").strip()[:50]
    if not q:
        return []
    return list(
        Member.objects.filter(status=Member.Status.SERVING)
        .filter(Q(name__icontains=q) | Q(sector__name__icontains=q))
        .select_related("sector")
        .order_by("name", "id")[: limit + 1]
    )
