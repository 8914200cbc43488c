import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role, role_required
from zhengxie.jobs import views as jobs_views
from zhengxie.paging import CappedPaginator, capped_count
from zhengxie.params import is_int
from zhengxie.workflow.errors import DomainError

from . import exports, scoring, selectors, services
from .forms import DutyReportForm, DutyReviewForm, PlenaryForm, TermForm, YearForm
from .models import DutyPhoto, ScoringRule, SpecialCommittee
from .selectors import member_list
from .todo import member_todo


def member_home(request):
    """The member site's front page. `/` is everyone's entry point, so other roles are sent on to
    their own area instead of being refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, Role.MEMBER):
        return redirect("home")
    member = member_list(user=request.user).filter(user=request.user).first()
    todo = member_todo(member)
    return render(
        request,
        "members/home.html",
        {"member": member, "todo": todo, "todo_total": sum(g.count for g in todo)},
    )


# --- 委员履职 pages -------------------------------------------------------------------------------------
# Members: their own 履职档案 and the self-report form. Staff and leaders: the ranking, every member's
# archive, the documents; staff alone review self-reports and send low-score reminders.


RANKING_PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if is_int(raw) and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _year_choices(year: int) -> list[int]:
    this = timezone.localdate().year
    return sorted({*range(this - 4, this + 1), year}, reverse=True)


@role_required(Role.MEMBER)
def duty_mine(request):
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404("您的账号尚未关联委员档案。")
    query = f"?year={request.GET['year']}" if request.GET.get("year") else ""
    return redirect(reverse("members:duty_archive", args=[member.pk]) + query)


def duty_archive(request, pk):
    """履职档案: every record of a year with its source, the score, 三个一 and contact targets."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = selectors.access_member_duty(request.user, pk)
    year = _year(request)
    row, scheme = selectors.member_year_score(member, year)
    records = list(selectors.duty_records_of(member, year=year))
    items = []
    for record in records:
        label, url = selectors.duty_source_link(record, request.user)
        items.append({"record": record, "points": scheme.points_of(record), "source": label, "url": url})
    groups = [
        {"label": label, "points": row.by_group.get(code, 0), "cap": scheme.caps.get(code)}
        for code, label in ScoringRule.Group.choices
    ]
    labels = dict(scoring.THREE_ONES)
    return render(
        request,
        "members/duty/archive.html",
        {
            "member": member,
            "year": year,
            "years": sorted({*selectors.duty_years_of(member), *_year_choices(year)}, reverse=True),
            "row": row,
            "scheme": scheme,
            "groups": groups,
            "three_ones": [(labels[k], met) for k, met in row.three_ones.items()],
            "items": items,
            "is_own": member.user_id == request.user.pk,
            "is_office": has_role(request.user, Role.STAFF, Role.LEADER),
        },
    )


@role_required(Role.MEMBER)
def duty_report(request):
    """A member reports an activity of their own; it counts once staff confirm it."""
    form = DutyReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.duty_report(
                actor=request.user,
                kind=data["kind"],
                date=data["date"],
                note=data["note"],
                people=data["people"],
                photos=data["photos"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已提交，机关工作人员确认后计入履职积分。")
            return redirect("members:duty_mine")
    return render(request, "members/duty/report_form.html", {"form": form})


def duty_photo(request, pk):
    """Photos are private: shown only to those who may see the member's file."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    photo = get_object_or_404(DutyPhoto.objects.select_related("record__member"), pk=pk)
    if not selectors.can_view_duty_of(request.user, photo.record.member):
        raise Http404("照片不存在。")
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("照片不存在。") from None
    return FileResponse(handle, filename=photo.name or None)


def duty_report_docx(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    member = selectors.access_member_duty(request.user, pk)
    content, name = exports.duty_report_file(member, _year(request))
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _ranking_params(request) -> dict:
    keys = ("sector", "party", "committee", "grade", "q", "ordering", "low")
    params = {k: (request.GET.get(k) or "").strip() for k in keys}
    for k in ("sector", "party", "committee"):
        if not is_int(params[k]):
            params[k] = ""
    if params["ordering"] not in selectors.RANKING_ORDERS:
        params["ordering"] = ""
    params["low"] = "1" if params["low"] == "1" else ""
    return params


@role_required(Role.STAFF, Role.LEADER)
def duty_ranking(request):
    """The year's ranking: ranks are those of the whole year; filters only narrow the list."""
    year = _year(request)
    params = _ranking_params(request)
    scheme = scoring.scheme_for(year)
    # Filtered, ordered and paged in the database (one query for the count, one for the page).
    rows = scoring.RankingRows(
        year,
        scheme,
        sector=params["sector"],
        party=params["party"],
        committee=params["committee"],
        grade=params["grade"],
        q=params["q"],
        low=params["low"],
        ordering=params["ordering"] or "rank",
    )
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    scoring.with_breakdown(scheme, list(page.object_list))
    groups = ScoringRule.Group.choices
    # A cell per group in the header's order (a nested template loop over each row's groups cost a third
    # of the page).
    for r in page.object_list:
        r.group_cells = [r.by_group.get(code) for code, _ in groups]
    query = urlencode({"year": year, **{k: v for k, v in params.items() if v}})
    return render(
        request,
        "members/duty/ranking.html",
        {
            "year": year,
            "years": _year_choices(year),
            "page": page,
            "params": params,
            "query": query,
            "scheme": scheme,
            "plenary_recorded": rows.plenary_recorded,
            "groups": groups,
            "sectors": selectors.sector_list(),
            "parties": selectors.party_list(),
            "committees": SpecialCommittee.objects.order_by("order", "name"),
            "grades": [name for _, name in scoring.GRADES] + [scoring.GRADE_FAIL],
            "orderings": [("", "按名次"), ("sector", "按界别"), ("party", "按党派"), ("name", "按姓名")],
            "can_act": has_role(request.user, Role.STAFF),
            "pending_count": _pending_label(),
        },
    )


def _pending_label() -> str:
    """The 待确认填报 badge: the records waiting, counted only up to the lists' cap and remembered while
    nothing changes (a count of every pending record on each view grew with the year's backlog)."""
    n, exact = capped_count(selectors.pending_duty_records(), CappedPaginator.cap)
    return "" if not n else (str(n) if exact else f"{n:,}+")


@role_required(Role.STAFF, Role.LEADER)
def duty_low(request):
    """Members below the year's line, with what of 三个一 is missing; staff may remind them."""
    year = _year(request)
    scheme = scoring.scheme_for(year)
    # Filtered and paged in the database (the ranking's own query): in a year without plenary records
    # nearly every member is below the line, and a province has tens of thousands of them.
    rows = scoring.RankingRows(year, scheme, low=True)
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = dict(scoring.THREE_ONES)
    for r in page.object_list:
        r.missing = [labels[k] for k, met in r.three_ones.items() if not met]
    return render(
        request,
        "members/duty/low.html",
        {
            "year": year,
            "years": _year_choices(year),
            "rows": page.object_list,
            "page": page,
            "low_count": page.paginator.count,
            "scheme": scheme,
            "plenary_recorded": rows.plenary_recorded,
            "can_act": has_role(request.user, Role.STAFF),
        },
    )


@require_POST
@role_required(Role.STAFF)
def duty_low_remind(request):
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "年度无效。")
        return redirect("members:duty_low")
    year = form.cleaned_data["year"]
    try:
        count = services.duty_low_score_remind(actor=request.user, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已向{count}位委员发送履职提醒。")
    return redirect(reverse("members:duty_low") + f"?year={year}")


@role_required(Role.STAFF, Role.LEADER)
def duty_pending(request):
    """Self-reports waiting for review; staff confirm or decline them in bulk."""
    form = DutyReviewForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, Role.STAFF):
            raise PermissionDenied("只有机关工作人员可以审核履职记录。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "confirm":
                    count = services.duty_confirm_bulk(actor=request.user, records=data["records"])
                    messages.success(request, f"已确认{count}条履职记录。")
                else:
                    count = services.duty_decline_bulk(
                        actor=request.user, records=data["records"], reason=data["reason"]
                    )
                    messages.success(request, f"已将{count}条履职记录标为未确认。")
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect("members:duty_pending")
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    page = CappedPaginator(selectors.pending_duty_records(), RANKING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "members/duty/pending.html",
        {"page": page, "can_act": has_role(request.user, Role.STAFF), "query": ""},
    )


@role_required(Role.STAFF, Role.LEADER)
def duty_scores_xlsx(request):
    content, name = exports.duty_scores_file(_year(request))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = _attachment(name)
    return response


@role_required(Role.STAFF, Role.LEADER)
def duty_sector_zip(request, pk):
    sector = get_object_or_404(selectors.sector_list(), pk=pk)
    job = exports.sector_reports_start(actor=request.user, sector=sector, year=_year(request))
    return jobs_views.started(job)


_PICK_FIELD = re.compile(r"^[a-z_]{1,40}$")


@role_required(Role.STAFF)
def member_pick(request):
    """The member picker's matches (members/widgets.py): an htmx fragment of checkboxes."""
    field = request.GET.get("field", "")
    if not _PICK_FIELD.match(field):
        field = "members"
    q = request.GET.get("q", "").strip()
    rows = selectors.serving_members_matching(q)
    limit = selectors.PICK_LIMIT
    context = {
        "q": q,
        "field": field,
        "input_type": "radio" if request.GET.get("single") else "checkbox",
        "members": rows[:limit],
        "more": len(rows) > limit,
        "limit": limit,
    }
    return render(request, "members/picker/results.html", context)


@role_required(Role.STAFF, Role.LEADER)
def terms(request):
    """届 and 会次: staff open a term and add its plenaries with their dates; leaders read."""
    can_act = has_role(request.user, Role.STAFF)
    term = selectors.current_term_with_plenaries()
    term_form = TermForm(prefix="term")
    plenary_form = PlenaryForm(prefix="plenary")
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied("您的角色无权执行此操作。")
        action = request.POST.get("action")
        try:
            if action == "term":
                term_form = TermForm(request.POST, prefix="term")
                if term_form.is_valid():
                    data = term_form.cleaned_data
                    opened, _ = services.term_open(
                        actor=request.user,
                        number=data["number"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                    )
                    messages.success(request, f"{opened.name}已设为本届。")
                    return redirect("members:terms")
            elif action == "plenary":
                plenary_form = PlenaryForm(request.POST, prefix="plenary")
                if term is None:
                    messages.error(request, "请先开启本届，再添加会次。")
                elif plenary_form.is_valid():
                    data = plenary_form.cleaned_data
                    saved, created = services.plenary_save(
                        actor=request.user,
                        term=term,
                        number=data["number"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                    )
                    messages.success(request, f"已{'添加' if created else '保存'}{term.name}{saved.name}。")
                    return redirect("members:terms")
            else:
                messages.error(request, "未知的操作。")
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "members/terms.html",
        {
            "term": term,
            "plenaries": list(term.plenaries.all()) if term else [],
            "term_form": term_form,
            "plenary_form": plenary_form,
            "can_act": can_act,
            "today": timezone.localdate(),
        },
    )
