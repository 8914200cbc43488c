"""The member's proposal to-dos on the member home (members.todo): co-sign invitations, replies waiting
for the member's rating, drafts sent back. One query per group."""

from django.db.models import Count, Exists, OuterRef, Q, Window
from django.urls import reverse

from members.todo import SHOWN, TodoGroup, TodoItem
from zhengxie.lookups import AnyOf

from .models import Cosigner, Evaluation, Proposal
from .selectors import cosigned_ids

State = Proposal.State


def awaiting_rating_q(member) -> Q:
    """Replied proposals of which the member is proposer or confirmed co-signer and has not rated the
    current round (what 待测评 means on the list and the home)."""
    confirmed = Cosigner.objects.filter(
        proposal=OuterRef("pk"), member=member, status=Cosigner.Status.CONFIRMED
    )
    rated = Evaluation.objects.filter(
        proposal=OuterRef("pk"), member=member, handling_round=OuterRef("handling_round")
    )
    return Q(state=State.REPLIED) & (Q(proposer=member) | Q(Exists(confirmed))) & ~Q(Exists(rated))


def mark_awaiting_rating(rows, member) -> None:
    """Set `awaiting_rating` on a page's proposals, in one query by their ids. (As an annotation of the
    list it kept the list's whole filter in the rows query: a member's thousands of co-signed ids planned
    again for 20 rows.)"""
    ids = [p.pk for p in rows]
    waiting = (
        set(Proposal.objects.filter(Q(pk__in=ids) & awaiting_rating_q(member)).values_list("pk", flat=True))
        if ids
        else set()
    )
    for p in rows:
        p.awaiting_rating = p.pk in waiting


def _group(key, label, qs, note=None, **kwargs) -> TodoGroup:
    """The first SHOWN rows of `qs` and how many there are, in one query (a window count)."""
    rows = list(
        qs.only("pk", "title", "number", "replied_at", "return_reason").annotate(
            todo_total=Window(Count("pk"))
        )[:SHOWN]
    )
    items = [
        TodoItem(title=p.title, url=reverse("proposals:detail", args=[p.pk]), note=note(p) if note else "")
        for p in rows
    ]
    return TodoGroup(key, label, items, total=rows[0].todo_total if rows else 0, **kwargs)


def proposal_todo(member) -> list[TodoGroup]:
    invitations = Proposal.objects.filter(
        state=State.AWAITING_COSIGNERS,
        cosigners__member=member,
        cosigners__status=Cosigner.Status.PENDING,
    ).order_by("submitted_at", "id")
    cosigned = cosigned_ids(member)  # two index look-ups, not a probe of every replied proposal
    rated = Evaluation.objects.filter(
        proposal=OuterRef("pk"), member=member, handling_round=OuterRef("handling_round")
    )
    to_rate = (
        Proposal.objects.filter(Q(proposer=member) | Q(AnyOf("pk", cosigned)), state=State.REPLIED)
        .exclude(Exists(rated))
        .order_by("replied_at", "id")
    )
    returned = Proposal.objects.filter(proposer=member, state=State.RETURNED).order_by("-updated_at", "-id")
    my_list = reverse("proposals:my")
    return [
        _group("cosign", "联名邀请待答复", invitations, list_url=my_list, order=10),
        _group(
            "rate",
            "答复待测评",
            to_rate,
            lambda p: p.number,
            list_url=f"{my_list}?state={State.REPLIED}",
            order=20,
        ),
        _group(
            "returned",
            "退回修改的提案",
            returned,
            lambda p: p.return_reason[:40],
            list_url=f"{my_list}?state={State.RETURNED}",
            order=40,
        ),
    ]
