"""Pages: members' activities and 民情 cases (phone first), the staff list, activity page, calendar and
registers. Views validate with a form, call one service and redirect with a message; visibility comes
from the access_* selectors (404)."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.page_actions import form_error as _form_error
from zhengxie.page_actions import run_action as _run
from zhengxie.paging import CappedPaginator
from zhengxie.params import parse_int, parse_year

from . import selectors, services
from .documents import activity_report_docx
from .forms import (
    ActivityForm,
    AttendanceForm,
    CaseForm,
    GroupForm,
    ReportForm,
    ResolveForm,
    StationForm,
    SupervisorForm,
)
from .models import Activity, Participant

STAFF_ROLES = (Role.STAFF, Role.LEADER)
ALL_ROLES = (Role.STAFF, Role.LEADER, Role.MEMBER)
STAFF_PER_PAGE = 50  # rows of the staff lists (they showed the newest 200, all rendered on every view)
MEMBER_PER_PAGE = 20  # a member's past activities and cases, on a phone
MEMBER_UPCOMING = 50


# --- members ---------------------------------------------------------------------------------------------


@role_required(Role.MEMBER)
def my_activities(request):
    member = selectors.member_of(request.user)
    now = selectors.activity_clock()
    visible = selectors.activities_visible_to(request.user)
    # The next ones soonest first; the past ones paged, newest first (it rendered the newest 100).
    upcoming = list(visible.filter(start__gte=now).order_by("start", "id")[:MEMBER_UPCOMING])
    past = selectors.activities_visible_to(request.user, before=now).order_by("-start", "-id")
    page = CappedPaginator(past, MEMBER_PER_PAGE).get_page(request.GET.get("page"))
    mine = selectors.my_participation([*upcoming, *page.object_list], member)
    return render(
        request,
        "activities/member/activities.html",
        {
            "upcoming": [{"activity": a, "me": mine.get(a.pk)} for a in upcoming],
            "past": [{"activity": a, "me": mine.get(a.pk)} for a in page.object_list],
            "page": page,
        },
    )


@role_required(*ALL_ROLES)
def activity_detail(request, pk):
    activity = selectors.access_activity(request.user, pk)
    if request.user.effective_role in STAFF_ROLES:
        return redirect("activities:staff_activity", pk=pk)
    member = selectors.member_of(request.user)
    me = selectors.my_participation([activity], member).get(activity.pk)
    can_sign_up = me is None and activity.state == Activity.State.PLANNED and activity.start > timezone.now()
    return render(
        request,
        "activities/member/activity.html",
        {"activity": activity, "me": me, "can_sign_up": can_sign_up},
    )


@require_POST
@role_required(Role.MEMBER)
def activity_sign_up(request, pk):
    activity = selectors.access_activity(request.user, pk)
    _run(request, lambda: services.activity_sign_up(actor=request.user, activity=activity), "已报名。")
    return redirect("activities:activity", pk=pk)


@role_required(*ALL_ROLES)
def case_list(request):
    staff = request.user.effective_role in STAFF_ROLES
    page = CappedPaginator(
        selectors.cases_visible_to(request.user), STAFF_PER_PAGE if staff else MEMBER_PER_PAGE
    ).get_page(request.GET.get("page"))
    template = "activities/staff/cases.html" if staff else "activities/member/cases.html"
    return render(request, template, {"cases": page.object_list, "page": page})


@role_required(Role.MEMBER)
def case_create(request):
    form = CaseForm(request.POST or None, initial={"station": request.GET.get("station")})
    if request.method == "POST":
        if form.is_valid():
            case = _run(
                request, lambda: services.case_create(actor=request.user, **form.cleaned_data), "民情已登记。"
            )
            if case:
                return redirect("activities:case", pk=case.pk)
        else:
            _form_error(request, form)
    return render(request, "activities/member/case_form.html", {"form": form})


@role_required(*ALL_ROLES)
def case_detail(request, pk):
    case = selectors.access_case(request.user, pk)
    role = request.user.effective_role
    may_handle = case.state == case.State.OPEN and (
        role == Role.STAFF or case.member.user_id == request.user.pk
    )
    return render(
        request,
        "activities/case.html",
        {
            "case": case,
            "resolve_form": ResolveForm() if may_handle else None,
            "may_convert": may_handle and role == Role.MEMBER,
            "history": selectors.history(case),
        },
    )


@require_POST
@role_required(Role.STAFF, Role.MEMBER)
def case_resolve(request, pk):
    case = selectors.access_case(request.user, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.case_resolve(
                actor=request.user, case=case, content=form.cleaned_data["content"]
            ),
            "已办结。",
        )
    else:
        _form_error(request, form)
    return redirect("activities:case", pk=pk)


@require_POST
@role_required(Role.MEMBER)
def case_to_opinion(request, pk):
    case = selectors.access_case(request.user, pk)
    _run(request, lambda: services.case_to_opinion(actor=request.user, case=case), "已转为社情民意并报送。")
    return redirect("activities:case", pk=pk)


@role_required(*ALL_ROLES)
def stations(request):
    stations = list(selectors.stations_visible_to(request.user))
    form = StationForm() if request.user.effective_role == Role.STAFF else None
    return render(request, "activities/stations.html", {"stations": stations, "form": form})


@require_POST
@role_required(Role.STAFF)
def station_create(request):
    form = StationForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.station_create(actor=request.user, **form.cleaned_data),
            "工作站已添加。",
        )
    else:
        _form_error(request, form)
    return redirect("activities:stations")


@role_required(*ALL_ROLES)
def groups(request):
    """A member's groups (a convener sees the group's members at a glance) with their activities."""
    groups = list(selectors.groups_visible_to(request.user))
    activities = selectors.group_activities(groups)
    return render(
        request,
        "activities/groups.html",
        {"rows": [{"group": g, "activities": activities.get(g.pk, [])} for g in groups]},
    )


# --- staff -----------------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def staff_list(request):
    qs = selectors.activities_filter(selectors.activities_visible_to(request.user), params=request.GET)
    form = ActivityForm(request.POST or None) if request.user.effective_role == Role.STAFF else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            activity = _run(
                request,
                lambda: services.activity_create(actor=request.user, **form.cleaned_data),
                "活动已创建。",
            )
            if activity:
                return redirect("activities:staff_activity", pk=activity.pk)
        else:
            _form_error(request, form)
    return render(
        request,
        "activities/staff/list.html",
        {
            "page": CappedPaginator(qs, STAFF_PER_PAGE).get_page(request.GET.get("page")),
            "form": form,
            "kinds": Activity.Kind.choices,
            "kind": request.GET.get("kind", ""),
        },
    )


@role_required(*STAFF_ROLES)
def staff_activity(request, pk):
    activity = selectors.access_activity(request.user, pk)
    is_staff = request.user.effective_role == Role.STAFF
    return render(
        request,
        "activities/staff/activity.html",
        {
            "activity": activity,
            "participants": selectors.activity_participants(activity),
            "statuses": [c for c in Participant.Status.choices if c[0] != Participant.Status.INVITED],
            "report_form": ReportForm(
                initial={"content": activity.report_content, "suggestion_count": activity.suggestion_count}
            )
            if is_staff
            else None,
            "is_staff": is_staff,
            "history": selectors.history(activity),
        },
    )


@require_POST
@role_required(Role.STAFF)
def staff_attendance(request, pk):
    activity = selectors.access_activity(request.user, pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.activity_set_attendance(
                actor=request.user, activity=activity, **form.cleaned_data
            ),
            f"已登记{form.cleaned_data['member'].name}的出席情况。",
        )
    else:
        _form_error(request, form)
    return redirect("activities:staff_activity", pk=pk)


@require_POST
@role_required(Role.STAFF)
def staff_report(request, pk):
    activity = selectors.access_activity(request.user, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.activity_report(actor=request.user, activity=activity, **form.cleaned_data),
            "报告已保存。",
        )
    else:
        _form_error(request, form)
    return redirect("activities:staff_activity", pk=pk)


@require_POST
@role_required(Role.STAFF)
def staff_cancel(request, pk):
    activity = selectors.access_activity(request.user, pk)
    _run(request, lambda: services.activity_cancel(actor=request.user, activity=activity), "活动已取消。")
    return redirect("activities:staff_activity", pk=pk)


@role_required(*STAFF_ROLES)
def staff_report_docx(request, pk):
    activity = selectors.access_activity(request.user, pk)
    data = activity_report_docx(activity, selectors.activity_participants(activity))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename=activity-report-{activity.pk}.docx"
    return response


@role_required(*STAFF_ROLES)
def staff_calendar(request):
    today = timezone.localdate()
    year, month = today.year, today.month
    parts = str(request.GET.get("month", "")).split("-")
    if len(parts) == 2 and parse_year(parts[0]) and parse_int(parts[1]) in range(1, 13):
        year, month = parse_year(parts[0]), parse_int(parts[1])
    return render(
        request,
        "activities/staff/calendar.html",
        {"cal": selectors.month_calendar(year, month), "today": today},
    )


@role_required(*STAFF_ROLES)
def staff_registers(request):
    year = parse_year(request.GET.get("year")) or timezone.localdate().year
    return render(
        request,
        "activities/staff/registers.html",
        {
            "year": year,
            "coverage": selectors.training_coverage(year),
            "stats": selectors.activity_year_stats(year),
            "cases": selectors.case_counts(year),
            "groups": list(selectors.groups_visible_to(request.user)),
            "supervisors": list(selectors.supervisors()),
            "group_form": GroupForm() if request.user.effective_role == Role.STAFF else None,
            "supervisor_form": SupervisorForm() if request.user.effective_role == Role.STAFF else None,
        },
    )


@require_POST
@role_required(Role.STAFF)
def group_create(request):
    form = GroupForm(request.POST)
    if form.is_valid():
        _run(
            request, lambda: services.group_create(actor=request.user, **form.cleaned_data), "活动组已添加。"
        )
    else:
        _form_error(request, form)
    return redirect("activities:registers")


@require_POST
@role_required(Role.STAFF)
def supervisor_appoint(request):
    form = SupervisorForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.supervisor_appoint(actor=request.user, **form.cleaned_data),
            "已登记监督员。",
        )
    else:
        _form_error(request, form)
    return redirect("activities:registers")
