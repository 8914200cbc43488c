"""The keyboard 立案审查 screen (issue 19, paper season): one submitted proposal at a time with its similar
ones; R 立案, T 退回, J 不予立案 (reason by number key), M 并入最相似的一件, N/P next/previous
(static/js/review_keys.js; every action is also a visible button). Actions go through the same services as
the review page (same transition and audit rows); a proposal another staff member changed meanwhile is
not touched (optimistic concurrency on updated_at) and the screen moves on."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.params import parse_int
from zhengxie.workflow.errors import DomainError

from . import services
from .models import Proposal
from .page_selectors import (
    proposal_attachments,
    rejection_reasons,
    review_day_counts,
    review_keys_neighbours,
    review_keys_queue,
    review_version,
)
from .selectors import access_proposal
from .views_review import _similar_for_review

State = Proposal.State


class Conflict(Exception):
    pass


def _screen_url(pk=None) -> str:
    if pk is None:
        return reverse("proposals:review_keys")
    return reverse("proposals:review_keys_item", args=[pk])


@role_required(Role.STAFF)
def start(request):
    """The first proposal of the queue, or an empty screen with the day's counter."""
    first = review_keys_queue().values_list("pk", flat=True).first()
    if first is not None:
        return redirect(_screen_url(first))
    return render(
        request,
        "proposals/staff/review_keys.html",
        {"proposal": None, "counts": review_day_counts(request.user)},
    )


@role_required(Role.STAFF)
def item(request, pk):
    proposal = access_proposal(request.user, pk)
    similar = _similar_for_review(request.user, proposal)
    merge_into = next((row["p"] for row in similar if row["mergeable"]), None)
    reasons = list(rejection_reasons())
    return render(
        request,
        "proposals/staff/review_keys.html",
        {
            "proposal": proposal,
            "version": review_version(proposal),
            "actionable": proposal.state == State.SUBMITTED,
            "attachments": proposal_attachments(proposal),
            "similar": similar,
            "merge_into": merge_into,
            "reasons": [(str((n + 1) % 10), reason) for n, reason in enumerate(reasons[:10])],
            "dispositions": Proposal.Disposition.choices,
            "counts": review_day_counts(request.user),
            **review_keys_neighbours(proposal),
        },
    )


def _act(request, proposal: Proposal, action: str):
    """One service call under the lock of the proposal, if it is still as the screen showed it."""
    data = request.POST
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if review_version(locked) != data.get("version", "") or locked.state != State.SUBMITTED:
            raise Conflict(locked.get_state_display())
        if action == "register":
            done = services.proposal_register(actor=request.user, proposal=locked)
            return f"已立案：{done.number}《{done.title}》。"
        if action == "return":
            services.proposal_return(actor=request.user, proposal=locked, reason=data.get("reason", ""))
            return f"已退回《{locked.title}》。"
        if action == "reject":
            services.proposal_reject(
                actor=request.user,
                proposal=locked,
                reason=data.get("reason", ""),
                disposition=data.get("disposition") or Proposal.Disposition.NONE,
                reason_code=parse_int(data.get("reason_code")),
            )
            return f"《{locked.title}》不予立案。"
        if action == "merge":
            into = parse_int(data.get("into"))
            if into is None:
                raise DomainError("没有可并入的相似提案。")
            done = services.proposal_merge(actor=request.user, proposal=locked, into=into)
            return f"《{locked.title}》已并入 {done.merged_into.number or done.merged_into.title}。"
    raise DomainError("未知的操作。")


@require_POST
@role_required(Role.STAFF)
def act(request, pk):
    proposal = access_proposal(request.user, pk)
    action = request.POST.get("action", "")
    try:
        message = _act(request, proposal, action)
    except Conflict as exc:
        messages.error(
            request,
            f"《{proposal.title}》已由其他工作人员处理或修改（当前状态：{exc}），本次操作未执行，已转到下一件。",
        )
    except DomainError as exc:
        # A refusal (e.g. no reason given): stay on this proposal.
        messages.error(request, exc.message)
        return HttpResponseRedirect(_screen_url(proposal.pk))
    else:
        messages.success(request, message)
    following = review_keys_neighbours(proposal)["next_id"]
    if following is None:
        following = review_keys_queue().values_list("pk", flat=True).first()
    return HttpResponseRedirect(_screen_url(following))
