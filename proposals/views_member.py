"""Member site pages for proposals: my proposals, the drafting form, the detail page, published ones.

Views only validate and call services; visibility comes from selectors.access_proposal (404).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.paging import CappedPaginator
from zhengxie.workflow.errors import DomainError

from . import search, services
from .forms import EvaluationForm, ProposalForm
from .models import Cosigner, Proposal
from .page_selectors import (
    has_evaluated,
    history_rows,
    member_of,
    plenary_choices,
    proposal_attachments,
    proposal_evaluations,
    text_limits,
    viewer_cosign_status,
)
from .selectors import (
    access_proposal,
    my_proposals,
    pending_cosign_invitations,
    proposal_handling_visible_to,
    proposal_history,
    published_proposals,
)
from .todo import mark_awaiting_rating

State = Proposal.State
MEMBER_STATE_FILTERS = [
    State.DRAFT,
    State.AWAITING_COSIGNERS,
    State.SUBMITTED,
    State.RETURNED,
    State.REGISTERED,
    State.ASSIGNED,
    State.IN_PROGRESS,
    State.REPLIED,
    State.CLOSED,
    State.NOT_REGISTERED,
    State.MERGED,
    State.WITHDRAWN,
]


def _member_or_403(user):
    member = member_of(user)
    if member is None:
        raise PermissionDenied("您的账号尚未关联委员档案。")
    return member


def _owned(request, pk) -> tuple[Proposal, object]:
    """The proposal when the signed-in member is its proposer: 404 if invisible, 403 if someone else's."""
    member = _member_or_403(request.user)
    proposal = access_proposal(request.user, pk)
    if proposal.proposer_id != member.pk:
        raise PermissionDenied("只有提案人本人可以执行此操作。")
    return proposal, member


@role_required(Role.MEMBER)
def my_list(request):
    member = _member_or_403(request.user)
    state = request.GET.get("state", "")
    qs = my_proposals(member)
    if state in State.values:
        qs = qs.filter(state=state)
    q = (request.GET.get("q") or "").strip()
    if q:
        # Their own and co-signed proposals: they read every reply of those.
        qs = search.ordered(search.text_search(qs, q, all_replies=True), {"q": q}, "-updated_at", "-id")
    page = CappedPaginator(qs, 20).get_page(request.GET.get("page"))
    mark_awaiting_rating(page.object_list, member)
    textsearch.with_snippets(page, q)
    given = {k: v for k, v in (("state", state if state in State.values else ""), ("q", q)) if v}
    return render(
        request,
        "proposals/member/list.html",
        {
            "page": page,
            "state": state,
            "q": q,
            "query": urlencode(given),
            "state_choices": [(s.value, s.label) for s in MEMBER_STATE_FILTERS],
            "invitations": list(pending_cosign_invitations(member)),
            "member": member,
        },
    )


def _form_page(request, *, form, proposal=None, attachments=()):
    return render(
        request,
        "proposals/member/form.html",
        {"form": form, "proposal": proposal, "attachments": attachments, "limits": text_limits()},
    )


def _save(request, form, *, proposal=None) -> Proposal:
    """Save the draft, add the file, and submit when asked — all or nothing, so a refusal changes nothing."""
    with transaction.atomic():
        arguments = form.service_arguments()
        if proposal is None:
            proposal = services.proposal_create(actor=request.user, **arguments)
        else:
            proposal = services.proposal_update(actor=request.user, proposal=proposal, **arguments)
        if form.cleaned_data.get("attachment"):
            services.proposal_attachment_add(
                actor=request.user, proposal=proposal, uploaded_file=form.cleaned_data["attachment"]
            )
        if request.POST.get("action") == "submit":
            proposal = services.proposal_submit(actor=request.user, proposal=proposal)
    return proposal


def _saved_message(request, proposal: Proposal) -> None:
    if request.POST.get("action") != "submit":
        messages.success(request, "草稿已保存。")
    elif proposal.state == State.AWAITING_COSIGNERS:
        messages.success(request, "提案已提交，正在等待联名人确认。")
    else:
        messages.success(request, "提案已提交，等待提案委员会审查。")


@role_required(Role.MEMBER)
def create(request):
    member = _member_or_403(request.user)
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES, proposer=member)
        if form.is_valid():
            try:
                proposal = _save(request, form)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                _saved_message(request, proposal)
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        latest = plenary_choices().first()
        form = ProposalForm(
            proposer=member,
            # No plenary still open: the proposal is a 闭会期间 one.
            initial={"plenary": latest.pk if latest else None, "during_plenary": "1" if latest else "0"},
        )
    return _form_page(request, form=form)


@role_required(Role.MEMBER)
def edit(request, pk):
    proposal, member = _owned(request, pk)
    if proposal.state not in services.EDITABLE_STATES:
        messages.error(request, f"提案当前状态为“{proposal.get_state_display()}”，不能修改。")
        return redirect("proposals:detail", pk=proposal.pk)
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES, proposer=member, keep_plenary=proposal.plenary_id)
        if form.is_valid():
            try:
                proposal = _save(request, form, proposal=proposal)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                _saved_message(request, proposal)
                return redirect("proposals:detail", pk=proposal.pk)
    else:
        form = ProposalForm(
            proposer=member, keep_plenary=proposal.plenary_id, initial=ProposalForm.initial_for(proposal)
        )
    return _form_page(request, form=form, proposal=proposal, attachments=proposal_attachments(proposal))


@role_required(Role.MEMBER, Role.STAFF, Role.LEADER)
def detail(request, pk):
    # Notifications link owners to /proposals/<id>/; staff and leaders work on the review page.
    if request.user.effective_role in (Role.STAFF, Role.LEADER):
        return redirect("proposals:review", pk=pk)
    return _detail_page(request, access_proposal(request.user, pk))


def _detail_page(request, proposal, *, evaluation_form=None, status=200):
    member = member_of(request.user)
    is_proposer = member is not None and proposal.proposer_id == member.pk
    my_status = viewer_cosign_status(proposal, member)
    is_participant = is_proposer or my_status == Cosigner.Status.CONFIRMED
    can_rate = proposal.state == State.REPLIED and is_participant and not has_evaluated(proposal, member)
    return render(
        request,
        "proposals/member/detail.html",
        {
            "proposal": proposal,
            "history": history_rows(proposal_history(proposal)),
            "attachments": proposal_attachments(proposal),
            "evaluations": proposal_evaluations(proposal) if is_participant else [],
            "is_proposer": is_proposer,
            "is_participant": is_participant,
            "can_edit": is_proposer and proposal.state in services.EDITABLE_STATES,
            "can_withdraw": is_proposer and proposal.state in services.WITHDRAWABLE_STATES,
            "can_cosign": my_status == Cosigner.Status.PENDING and proposal.state == State.AWAITING_COSIGNERS,
            "can_rate": can_rate,
            "evaluation_form": evaluation_form or (EvaluationForm() if can_rate else None),
            # Which replies the viewer reads: selectors.reply_rule, the same as the API.
            "handling": proposal_handling_visible_to(request.user, proposal),
        },
        status=status,
    )


def _act(request, proposal, action, success: str):
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("proposals:detail", pk=proposal.pk)


@require_POST
@role_required(Role.MEMBER)
def submit(request, pk):
    proposal, _ = _owned(request, pk)
    try:
        proposal = services.proposal_submit(actor=request.user, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "提案已提交，正在等待联名人确认。"
            if proposal.state == State.AWAITING_COSIGNERS
            else "提案已提交，等待提案委员会审查。",
        )
    return redirect("proposals:detail", pk=proposal.pk)


@require_POST
@role_required(Role.MEMBER)
def withdraw(request, pk):
    proposal, _ = _owned(request, pk)
    return _act(
        request,
        proposal,
        lambda: services.proposal_withdraw(
            actor=request.user, proposal=proposal, reason=request.POST.get("reason", "")
        ),
        "提案已撤回。",
    )


@require_POST
@role_required(Role.MEMBER)
def cosign(request, pk):
    proposal = access_proposal(request.user, pk)
    agree = request.POST.get("agree") == "1"
    _act(
        request,
        proposal,
        lambda: services.proposal_cosign(actor=request.user, proposal=proposal, agree=agree),
        "已同意联名。" if agree else "已谢绝联名。",
    )
    # A declined co-signer no longer sees the proposal; the list page sends people back to the list.
    if request.POST.get("next") == "list" or not agree:
        return redirect("proposals:my")
    return redirect("proposals:detail", pk=proposal.pk)


@require_POST
@role_required(Role.MEMBER)
def evaluate(request, pk):
    proposal = access_proposal(request.user, pk)
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意度。")
        return _detail_page(request, proposal, evaluation_form=form, status=400)
    try:
        services.proposal_evaluate(
            actor=request.user,
            proposal=proposal,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, proposal, evaluation_form=form, status=400)
    messages.success(request, "测评已提交，感谢您的意见。")
    return redirect("proposals:detail", pk=proposal.pk)


@require_POST
@role_required(Role.MEMBER)
def publish_opt_out(request, pk):
    proposal, _ = _owned(request, pk)
    opt_out = request.POST.get("opt_out") == "1"
    return _act(
        request,
        proposal,
        lambda: services.proposal_set_publish_opt_out(actor=request.user, proposal=proposal, opt_out=opt_out),
        "已申请不公开。" if opt_out else "已撤销不公开申请。",
    )


@role_required(Role.MEMBER, Role.STAFF, Role.LEADER)
def published(request):
    qs = published_proposals()
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = search.ordered(search.text_search(qs, q, all_replies=False), {"q": q}, "-registered_at", "-id")
    page = CappedPaginator(qs, 20).get_page(request.GET.get("page"))
    textsearch.with_snippets(page, q)
    return render(
        request,
        "proposals/member/published.html",
        {"page": page, "q": q, "query": urlencode({"q": q}) if q else ""},
    )


@role_required(Role.MEMBER, Role.STAFF, Role.LEADER, Role.DEPARTMENT)
def reply_letter(request, pk, reply_pk):
    """A reply's uploaded 答复函, for those who rate or handle it (handling_selectors.can_read_reply_letter)."""
    from .handling_selectors import reply_letter_for, reply_letter_response

    return reply_letter_response(reply_letter_for(request.user, reply_pk, proposal_id=pk))


@role_required(Role.MEMBER, Role.STAFF, Role.LEADER, Role.DEPARTMENT)
def attachment(request, pk, attachment_pk):
    """Attachments are private: served only to those who may see the proposal."""
    proposal = access_proposal(request.user, pk)
    item = get_object_or_404(proposal_attachments(proposal), pk=attachment_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件不存在。") from None
    return FileResponse(handle, as_attachment=True, filename=item.name)
