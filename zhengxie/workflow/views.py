from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.textsearch import BY_TIME_NOTE

from .errors import DomainError
from .portal import COUNT_LABELS, DEFAULT_STATUS, SOON_DAYS, STATUS_LABELS, portal_overview, portal_search

PER_PAGE = 50


@role_required(Role.DEPARTMENT)
def portal_home(request):
    """A clerk's desk: the counts, then every task of the department (all kinds) by due date."""
    status = request.GET.get("status") or DEFAULT_STATUS
    if status not in STATUS_LABELS:
        status = DEFAULT_STATUS
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    department = request.user.department
    q = (request.GET.get("q") or "").strip()[:200]
    ordering = "default" if request.GET.get("ordering") == "default" else ""
    params = {"q": q, "ordering": ordering}

    def overview_of(page):
        if q:  # only the department's own tasks and replies are searched (each source's `search`)
            return portal_search(
                department.pk,
                status=status,
                today=timezone.localdate(),
                params=params,
                page=page,
                per_page=PER_PAGE,
            )
        return portal_overview(
            department.pk, status=status, today=timezone.localdate(), page=page, per_page=PER_PAGE
        )

    overview = {"counts": dict.fromkeys(COUNT_LABELS, 0), "rows": [], "total": 0, "num_pages": 1}
    if department is not None:
        overview = overview_of(page)
        if page > overview["num_pages"]:  # a stale link past the end shows the last page
            page = overview["num_pages"]
            overview = overview_of(page)
    return render(
        request,
        "portal/index.html",
        {
            "department": department,
            "cards": [
                {"key": key, "label": label, "count": overview["counts"][key]}
                for key, label in COUNT_LABELS.items()
            ],
            "status": status,
            "status_label": STATUS_LABELS[status],
            "statuses": STATUS_LABELS,
            "rows": overview["rows"],
            "total": overview["total"],
            "total_label": overview.get("total_label", overview["total"]),
            "page": page,
            "num_pages": overview["num_pages"],
            "soon_days": SOON_DAYS,
            "q": q,
            "ordering": ordering,
            "by_time": overview.get("by_time", False),
            "by_time_note": BY_TIME_NOTE,
            # The filters a pager or a status link keeps.
            "keep": urlencode({k: v for k, v in params.items() if v}),
        },
    )


# --- 工作日历: a year's official holidays, typed from the State Council notice ------------------------

HOLIDAY_EXAMPLE = """{y}-01-01~{y}-01-03 元旦
{y}-02-06~{y}-02-12 春节
调休上班 {y}-02-07、{y}-02-20
{y}-10-01~{y}-10-07 国庆节
调休上班 {y}-09-26"""


class HolidayNoticeForm(forms.Form):
    year = forms.IntegerField(
        label="年份",
        min_value=2004,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    text = forms.CharField(
        label="放假安排（每行一段）",
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 12}),
        help_text="每行一段假期“开始~结束 名称”，或“调休上班 日期、日期”；未列出的日期按周一至周五计。",
    )


@role_required(Role.STAFF)
def holiday_entry(request):
    """Staff type next year's 放假安排 (ranges and 调休 days) in one go; open due dates are recomputed and
    the departments told (services.work_calendar_enter_year)."""
    from .models import WorkCalendarDay
    from .services import work_calendar_enter_year

    next_year = timezone.localdate().year + 1
    form = HolidayNoticeForm(request.POST or None, initial={"year": next_year})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            result = work_calendar_enter_year(actor=request.user, year=year, text=form.cleaned_data["text"])
        except DomainError as exc:
            form.add_error("text", exc.message)
        else:
            messages.success(
                request,
                f"已录入{year}年节假日安排：放假{result['holidays']}天，调休上班{result['workdays']}天；"
                f"重算办理期限{result['recomputed']}项，已通知相关承办单位。",
            )
            return redirect("work_calendar:holidays")
    loaded = {d.year for d in WorkCalendarDay.objects.dates("date", "year")}
    years = sorted(loaded | {next_year - 1, next_year})
    holidays = WorkCalendarDay.objects.filter(date__year__gte=next_year - 1, name__gt="").order_by("date")
    return render(
        request,
        "workflow/holidays.html",
        {
            "form": form,
            "example": HOLIDAY_EXAMPLE.format(y=next_year),
            "years": [(y, y in loaded) for y in years],
            "holidays": holidays,
        },
    )
