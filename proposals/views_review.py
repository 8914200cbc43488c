"""Staff workbench pages for proposal review: the queue, the register of all proposals, the review page.

Leaders may read every page; each action is a POST that only staff may make (403 otherwise).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.models import Plenary
from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.paging import CappedPaginator
from zhengxie.params import is_int
from zhengxie.workflow.errors import DomainError

from . import search, services
from .forms import MergeForm, RejectForm, ReturnForm
from .models import Proposal
from .page_selectors import (
    active_categories,
    history_rows,
    merge_targets,
    proposal_attachments,
    proposal_evaluations,
)
from .selectors import (
    access_proposal,
    counting_cosigners,
    proposal_handling_visible_to,
    proposal_history,
    proposals_filter,
    proposals_visible_to,
    review_queue,
)

State = Proposal.State
PAGE_SIZE = 50
FILTER_KEYS = ("state", "category", "kind", "plenary", "q")
QUEUE_STATES = [State.SUBMITTED, State.AWAITING_COSIGNERS]


def _filters(request, allowed_states) -> dict:
    params = {key: (request.GET.get(key) or "").strip() for key in FILTER_KEYS}
    if params["state"] not in allowed_states:
        params["state"] = ""
    if params["kind"] not in Proposal.Kind.values:
        params["kind"] = ""
    return params


def _list_context(request, qs, params, allowed_states) -> dict:
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    textsearch.with_snippets(page, params.get("q"))
    query = urlencode({k: v for k, v in params.items() if v})
    return {
        "page": page,
        "params": params,
        "query": query,
        "state_choices": [(s, State(s).label) for s in allowed_states],
        "kind_choices": Proposal.Kind.choices,
        "categories": active_categories(),
        "plenaries": Plenary.objects.select_related("term").order_by("-term__number", "-number"),
        "can_act": request.user.effective_role == Role.STAFF,
    }


@role_required(Role.STAFF, Role.LEADER)
def queue(request):
    params = _filters(request, QUEUE_STATES)
    qs = review_queue(request.user, params={k: v for k, v in params.items() if v})
    return render(
        request, "proposals/staff/review_queue.html", _list_context(request, qs, params, QUEUE_STATES)
    )


@role_required(Role.STAFF, Role.LEADER)
def all_list(request):
    params = _filters(request, State.values)
    given = {k: v for k, v in params.items() if v}
    rows = counting_cosigners(proposals_visible_to(request.user, for_list=True))  # the list shows "等N人"
    qs = proposals_filter(rows, params=given, user=request.user)
    return render(
        request,
        "proposals/staff/list.html",
        _list_context(request, search.ordered(qs, given, "-submitted_at", "-id"), params, State.values),
    )


@require_POST
@role_required(Role.STAFF)
def register_bulk(request):
    ids = [int(value) for value in request.POST.getlist("ids") if is_int(value)]
    back = reverse("proposals:review_queue") + (
        f"?{request.POST['back']}" if request.POST.get("back") else ""
    )
    if not ids:
        messages.error(request, "请先勾选要立案的提案。")
        return redirect(back)
    result = services.proposals_register_bulk(actor=request.user, proposal_ids=ids)
    if result.registered:
        numbers = "、".join(p.number for p in result.registered)
        messages.success(request, f"已立案 {len(result.registered)} 件：{numbers}。")
    titles = dict(Proposal.objects.filter(pk__in=[pk for pk, _ in result.failed]).values_list("pk", "title"))
    for pk, reason in result.failed:
        messages.error(request, f"《{titles.get(pk, f'编号{pk}')}》未立案：{reason}")
    return redirect(back)


def _review_page(request, proposal, *, forms=None, status=200):
    forms = forms or {}
    merge_q = (request.GET.get("merge_q") or request.POST.get("merge_q") or "").strip()
    context = {
        "proposal": proposal,
        "history": history_rows(proposal_history(proposal)),
        "attachments": proposal_attachments(proposal),
        "evaluations": proposal_evaluations(proposal),
        "can_act": request.user.effective_role == Role.STAFF,
        "can_review": proposal.state == State.SUBMITTED,
        "return_form": forms.get("return") or ReturnForm(),
        "reject_form": forms.get("reject") or RejectForm(),
        "merge_form": forms.get("merge") or MergeForm(),
        "merge_q": merge_q,
        "merge_targets": merge_targets(exclude_pk=proposal.pk, q=merge_q)
        if proposal.state == State.SUBMITTED
        else [],
        "handling": proposal_handling_visible_to(request.user, proposal),
        "similar": _similar_for_review(request.user, proposal),
    }
    return render(request, "proposals/staff/review.html", context, status=status)


def _similar_for_review(user, proposal) -> list[dict]:
    """Issue 19: at review, the most similar proposals of this and earlier years (one-click 并案)."""
    if proposal.state not in (State.SUBMITTED, State.AWAITING_COSIGNERS):
        return []
    from .season_selectors import proposal_year, similar_proposals

    rows = similar_proposals(
        user, title=proposal.title, content=proposal.content, exclude=proposal.pk, limit=5
    )
    return [
        {"p": p, "year": proposal_year(p), "mergeable": p.state in services.MERGE_TARGET_STATES} for p in rows
    ]


@role_required(Role.STAFF, Role.LEADER)
def review(request, pk):
    return _review_page(request, access_proposal(request.user, pk))


def _run(request, proposal, call, success, *, form_key=None, form=None):
    """Call one service; on a refusal show its message on the page with what was typed kept."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return _review_page(request, proposal, forms={form_key: form} if form_key else None, status=400)
    messages.success(request, success(result) if callable(success) else success)
    return redirect("proposals:review", pk=proposal.pk)


def _invalid(request, proposal, form_key, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _review_page(request, proposal, forms={form_key: form}, status=400)


@require_POST
@role_required(Role.STAFF)
def register(request, pk):
    proposal = access_proposal(request.user, pk)
    return _run(
        request,
        proposal,
        lambda: services.proposal_register(actor=request.user, proposal=proposal),
        lambda p: f"已立案，编号：{p.number}。",
    )


@require_POST
@role_required(Role.STAFF)
def return_(request, pk):
    proposal = access_proposal(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "return", form)
    return _run(
        request,
        proposal,
        lambda: services.proposal_return(
            actor=request.user, proposal=proposal, reason=form.cleaned_data["reason"]
        ),
        "已退回提案人修改。",
        form_key="return",
        form=form,
    )


@require_POST
@role_required(Role.STAFF)
def reject(request, pk):
    proposal = access_proposal(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "reject", form)
    data = form.cleaned_data
    return _run(
        request,
        proposal,
        lambda: services.proposal_reject(
            actor=request.user,
            proposal=proposal,
            reason=data["reason"],
            disposition=data["disposition"],
            reason_code=data["reason_code"].pk if data["reason_code"] else None,
        ),
        "已作不予立案处理。",
        form_key="reject",
        form=form,
    )


@require_POST
@role_required(Role.STAFF)
def merge(request, pk):
    proposal = access_proposal(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, proposal, "merge", form)
    return _run(
        request,
        proposal,
        lambda: services.proposal_merge(
            actor=request.user, proposal=proposal, into=form.cleaned_data["into"]
        ),
        lambda p: f"已并入提案 {p.merged_into.number or p.merged_into.title}。",
        form_key="merge",
        form=form,
    )
