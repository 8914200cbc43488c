"""表决 and 选举 in a meeting: create, open, cast, close, count — exactly.

- One ballot per present invitee: the database's unique constraint on (vote, member) of VoterMark decides,
  not a check in Python, so simultaneous presses count once.
- Results exist only after close; they are counted once, in the closing transaction, and stored.
- A secret ballot has no voter, no time and a random key; at close the ballots are re-sealed (rewritten
  in a random order in the closing transaction), so neither the rows' transaction ids nor their physical
  order can be joined with the 'has voted' rows. Neither the audit log nor the log holds a choice.
- The rules (API.md): "more than half" is strict; majority_of_all and two_thirds_of_all count against
  all invitees (应到), majority_of_present against those checked in (实到).
"""

import random

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.services import audit_record

from .models import Attendance, Ballot, BallotCandidate, Meeting, Vote, VoteCandidate, VoterMark
from .services import STAFF_ONLY


def _staff(actor):
    require_role(actor, Role.STAFF, message=STAFF_ONLY)


def _lock(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().get(pk=vote.pk)


@transaction.atomic
def vote_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    kind: str,
    secret: bool = True,
    rule: str = Vote.Rule.MAJORITY_OF_ALL,
    candidates=(),
    max_choices: int | None = None,
) -> Vote:
    _staff(actor)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写表决事项。")
    if kind not in Vote.Kind.values:
        raise InvalidInput("类型应为表决（resolution）或选举（election）。")
    if rule not in Vote.Rule.values:
        raise InvalidInput("通过规则应为 majority_of_all、majority_of_present 或 two_thirds_of_all。")
    candidates = list(dict.fromkeys(candidates))
    if kind == Vote.Kind.ELECTION:
        if not candidates:
            raise InvalidInput("选举须有候选人。")
        max_choices = max_choices or 1
        if not 1 <= int(max_choices) <= len(candidates):
            raise InvalidInput("应选人数应在1至候选人数之间。")
    else:
        if candidates or max_choices:
            raise InvalidInput("表决事项没有候选人。")
        max_choices = None
    vote = Vote.objects.create(
        meeting=meeting,
        title=title[:200],
        kind=kind,
        secret=bool(secret),
        rule=rule,
        max_choices=max_choices,
        created_by=actor,
    )
    VoteCandidate.objects.bulk_create(
        [VoteCandidate(vote=vote, member=m, order=i) for i, m in enumerate(candidates, start=1)]
    )
    audit_record(actor=actor, action="vote_create", target=vote, meeting=meeting.pk, secret=vote.secret)
    return vote


@transaction.atomic
def vote_open(*, actor, vote: Vote) -> Vote:
    _staff(actor)
    vote = _lock(vote)
    if vote.state != Vote.State.DRAFT:
        raise TransitionNotAllowed(f"该表决{vote.get_state_display()}，不能开始。")
    if Meeting.objects.filter(pk=vote.meeting_id, state=Meeting.State.CANCELLED).exists():
        raise TransitionNotAllowed("该会议已取消。")
    vote.state, vote.opened_at = Vote.State.OPEN, timezone.now()
    vote.save(update_fields=["state", "opened_at", "updated_at"])
    audit_record(actor=actor, action="vote_open", target=vote)
    return vote


@transaction.atomic
def ballot_cast(*, actor, vote: Vote, choice: str | None = None, candidates=None) -> None:
    """A present invitee votes once while the vote is open. Returns nothing: a ballot is not shown back."""
    require_role(actor, Role.MEMBER, message="只有到会委员可以投票。")
    vote = _lock(vote)
    member = Member.objects.filter(user=actor).first()
    present = (
        member is not None
        and Attendance.objects.filter(
            meeting_id=vote.meeting_id, member=member, status=Attendance.Status.PRESENT
        ).exists()
    )
    if not present:
        raise PermissionDenied("只有已签到出席的受邀委员可以投票。")
    if vote.state != Vote.State.OPEN:
        raise InvalidInput("投票尚未开始。" if vote.state == Vote.State.DRAFT else "投票已结束。")
    chosen = []
    if vote.kind == Vote.Kind.RESOLUTION:
        if choice not in Ballot.Choice.values:
            raise InvalidInput("请选择赞成、反对或弃权。")
    else:
        allowed = set(vote.candidate_rows.values_list("member_id", flat=True))
        chosen = list(dict.fromkeys(int(c) for c in (candidates or [])))
        if any(c not in allowed for c in chosen):
            raise InvalidInput("所选的人不在候选人名单中。")
        if len(chosen) > vote.max_choices:
            raise InvalidInput(f"最多选{vote.max_choices}人，您选了{len(chosen)}人，选票无效，请重选。")
        choice = ""
    try:
        with transaction.atomic():
            VoterMark.objects.create(vote=vote, member=member)
    except IntegrityError:
        raise InvalidInput("您已投过票，每人只能投一次。") from None
    ballot = Ballot.objects.create(vote=vote, voter=None if vote.secret else member, choice=choice)
    BallotCandidate.objects.bulk_create([BallotCandidate(ballot=ballot, member_id=c) for c in chosen])
    # The audit row says who voted in which vote, never how (the choice is not written anywhere else).
    audit_record(actor=actor, action="vote_ballot", target=vote)


def passes(count: int, *, rule: str, eligible: int, present: int) -> bool:
    """ "More than half" is strict (5 of 9 passes, 4 of 8 does not); two thirds means at least two thirds."""
    if rule == Vote.Rule.MAJORITY_OF_PRESENT:
        return count * 2 > present
    if rule == Vote.Rule.TWO_THIRDS_OF_ALL:
        return count * 3 >= eligible * 2 and count > 0
    return count * 2 > eligible


def _count(vote: Vote, eligible: int, present: int) -> dict:
    cast = VoterMark.objects.filter(vote=vote).count()
    if vote.kind == Vote.Kind.RESOLUTION:
        tally = {c: 0 for c in Ballot.Choice.values}
        for value in Ballot.objects.filter(vote=vote).values_list("choice", flat=True):
            tally[value] += 1
        return {
            **tally,
            "not_voted": eligible - cast,
            "passed": passes(tally["yes"], rule=vote.rule, eligible=eligible, present=present),
        }
    votes = {row.member_id: 0 for row in vote.candidate_rows.all()}
    for member_id in BallotCandidate.objects.filter(ballot__vote=vote).values_list("member_id", flat=True):
        votes[member_id] += 1
    names = dict(Member.objects.filter(pk__in=votes).values_list("pk", "name"))
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    qualified = [(m, n) for m, n in ranked if passes(n, rule=vote.rule, eligible=eligible, present=present)]
    seats = vote.max_choices or 1
    elected = {m for m, _ in qualified[:seats]}
    tie = False
    if len(qualified) > seats and qualified[seats - 1][1] == qualified[seats][1]:
        # A tie at the last seat elects neither of the tied: the meeting votes again between them.
        boundary = qualified[seats - 1][1]
        elected = {m for m, n in qualified if n > boundary}
        tie = True
    return {
        "candidates": [
            {"member": m, "name": names.get(m, ""), "votes": n, "elected": m in elected} for m, n in ranked
        ],
        "not_voted": eligible - cast,
        "tie": tie,
    }


def _reseal(vote: Vote) -> None:
    """Rewrite a secret vote's ballots in a random order inside the closing transaction."""
    ballots = list(Ballot.objects.filter(vote=vote).prefetch_related("chosen"))
    random.SystemRandom().shuffle(ballots)
    fresh = [(Ballot(vote=vote, choice=b.choice), [c.member_id for c in b.chosen.all()]) for b in ballots]
    Ballot.objects.filter(vote=vote).delete()
    Ballot.objects.bulk_create([b for b, _ in fresh])
    BallotCandidate.objects.bulk_create(
        [BallotCandidate(ballot=b, member_id=m) for b, chosen in fresh for m in chosen]
    )


@transaction.atomic
def vote_close(*, actor, vote: Vote) -> Vote:
    _staff(actor)
    vote = _lock(vote)
    if vote.state != Vote.State.OPEN:
        raise TransitionNotAllowed("只有投票中的表决可以结束。")
    attendances = Attendance.objects.filter(meeting_id=vote.meeting_id)
    eligible = attendances.count()
    present = attendances.filter(status=Attendance.Status.PRESENT).count()
    if vote.secret:
        _reseal(vote)
    vote.result = _count(vote, eligible, present)
    vote.eligible, vote.present = eligible, present
    vote.state, vote.closed_at = Vote.State.CLOSED, timezone.now()
    vote.save(update_fields=["result", "eligible", "present", "state", "closed_at", "updated_at"])
    audit_record(actor=actor, action="vote_close", target=vote, eligible=eligible, present=present)
    return vote
