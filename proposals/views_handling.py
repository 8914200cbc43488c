"""Staff handling pages: 交办, extension and adjustment decisions, 重点提案, 督办, 公开, the supervision
board, and the exports (提案 form as DOCX, the register as Excel). Each POST calls one service."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaulttags import querystring
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.jobs import views as jobs_views
from zhengxie.jobs.models import Job
from zhengxie.workflow.errors import DomainError

from . import exports, handling_selectors, selectors, services
from .forms_handling import (
    AdjustmentDecisionForm,
    AssignForm,
    DecisionForm,
    MarkKeyForm,
    SuperviseForm,
    first_error,
)

STAFF_OR_LEADER = (Role.STAFF, Role.LEADER)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back(request, proposal_id: int):
    """Back to where the form was (the board posts `next`), else the proposal's staff page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(f"/workbench/proposals/{proposal_id}/")


def _run(request, proposal_id: int, call, success: str):
    """Call one service; a domain error is shown as a message and nothing changed (the service is atomic).
    PermissionDenied is not caught: the page answers 403."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request, proposal_id)


def _invalid(request, proposal_id: int, form):
    messages.error(request, first_error(form))
    return _back(request, proposal_id)


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_assign(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal.pk, form)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_assign(
            actor=request.user, proposal=proposal.pk, assignments=form.cleaned_data["assignments"]
        ),
        "已交办。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def assignment_extension(request, pk):
    task = selectors.access_assignment(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, task.proposal_id, form)
    return _run(
        request,
        task.proposal_id,
        lambda: services.assignment_resolve_extension(
            actor=request.user, assignment=task.pk, approve=form.approve
        ),
        f"已{'同意' if form.approve else '不同意'}{task.department.name}的延期申请。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def assignment_adjustment(request, pk):
    task = selectors.access_assignment(request.user, pk)
    form = AdjustmentDecisionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, task.proposal_id, form)
    department = form.cleaned_data["department"]
    success = (
        f"已同意调整，改由{department.name}承办。"
        if form.approve and department
        else f"已不同意{task.department.name}的调整申请。"
    )
    return _run(
        request,
        task.proposal_id,
        lambda: services.assignment_resolve_adjustment(
            actor=request.user, assignment=task.pk, approve=form.approve, department=department
        ),
        success,
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_mark_key(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    form = MarkKeyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal.pk, form)
    is_key = form.cleaned_data["is_key"] == "1"
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_mark_key(
            actor=request.user, proposal=proposal.pk, leader=form.cleaned_data["leader"], is_key=is_key
        ),
        "已列为重点提案。" if is_key else "已取消重点提案。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_supervise(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    form = SuperviseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal.pk, form)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_supervise(
            actor=request.user,
            proposal=proposal.pk,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
        ),
        "已记录督办。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_publish(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_publish(actor=request.user, proposal=proposal.pk),
        "已公开。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_unpublish(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_unpublish(actor=request.user, proposal=proposal.pk),
        "已取消公开。",
    )


@role_required(*STAFF_OR_LEADER)
@require_POST
def proposal_close_unrated(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_close_unrated(actor=request.user, proposal=proposal.pk),
        "已按未评价办结。",
    )


@role_required(Role.STAFF)
@require_POST
def proposal_evaluate_on_behalf(request, pk):
    """A collective proposal's rating: staff record what the organisation sent (audited as on its behalf)."""
    from .forms import EvaluationForm

    proposal = selectors.access_proposal(request.user, pk)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal.pk, form)
    return _run(
        request,
        proposal.pk,
        lambda: services.proposal_evaluate(actor=request.user, proposal=proposal.pk, **form.cleaned_data),
        "已代提案单位录入测评。",
    )


@role_required(*STAFF_OR_LEADER)
@require_GET
def board(request):
    context = handling_selectors.board(request.GET)
    # Each summary row's link, as `{% querystring department=… page=None %}` writes it (the same function),
    # made here once per row: through the tag, 150 departments cost ~10 ms of the page.
    for row in context["summary"]:
        row["link"] = querystring(
            SimpleNamespace(request=request), department=row["department_id"], page=None
        )
    context["is_staff"] = request.user.effective_role == Role.STAFF
    # Decisions come back to the same filtered page.
    context["board_url"] = request.get_full_path()
    context["board_base"] = reverse("proposals_handling:board")
    return render(request, "proposals/handling/board.html", context)


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_GET
def proposal_form(request, pk):
    """The printable 提案 form, for whoever may see the proposal (404 otherwise)."""
    proposal = selectors.access_proposal(request.user, pk)
    content, filename = exports.proposal_form_file(proposal)
    return _attachment(content, filename, DOCX_TYPE)


@role_required(*STAFF_OR_LEADER)
@require_GET
def register_xlsx(request):
    """The register with its handling status, filtered by the same query string as the staff list."""
    found = exports.register_download(request.user, request.GET)
    if isinstance(found, Job):
        return jobs_views.started(found)  # too many rows for the request: the job page
    content, filename = found
    return _attachment(content, filename, XLSX_TYPE)
