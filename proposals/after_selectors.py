"""Reads for the after-the-reply pages and API (issue 20)."""

from collections import Counter
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from members.models import Member
from proposals.models import (
    Assignment,
    Cosigner,
    DepartmentAward,
    DepartmentReview,
    ExcellentAward,
    KeyRound,
    Proposal,
    ReviewRound,
    Revisit,
)
from proposals.selectors import LIST_DEFERRED
from zhengxie.accounts.models import Department

# A grade's points in the 民主评议 score (满意 1, 基本满意 0.6, 不满意 0).
GRADE_POINTS = {
    DepartmentReview.Grade.SATISFIED: Decimal(1),
    DepartmentReview.Grade.BASICALLY_SATISFIED: Decimal("0.6"),
    DepartmentReview.Grade.DISSATISFIED: Decimal(0),
}


def revisit_queue() -> QuerySet[Proposal]:
    """Closed proposals not yet revisited, oldest closing first."""
    return (
        Proposal.objects.filter(state=Proposal.State.CLOSED, stat_revisited=False)
        .select_related("proposer", "category")
        .defer(*LIST_DEFERRED)
        .order_by("closed_at", "id")  # the partial index proposal_revisit_queue_idx
    )


def proposal_after_reply(proposal: Proposal) -> dict:
    """Everything recorded after the reply on one proposal (a fixed number of queries)."""
    return {
        "revisits": list(proposal.revisits.select_related("recorded_by")),
        "outcomes": list(proposal.outcomes.select_related("department")),
        "awards": list(proposal.awards.all()),
        "key_leaders": list(proposal.key_leaders.all()),
        "key_instructions": list(proposal.key_instructions.all()),
        "joint_supervisions": list(proposal.joint_supervisions.all()),
    }


def can_see_revisits(user, proposal: Proposal) -> bool:
    """回访 record the proposer's own view: staff, leaders and the proposal's own members see them."""
    from zhengxie.accounts.models import Role

    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER):
        return True
    if role != Role.MEMBER:
        return False
    member = Member.objects.filter(user=user).first()
    if member is None:
        return False
    return (
        proposal.proposer_id == member.pk
        or proposal.cosigners.filter(member=member, status=Cosigner.Status.CONFIRMED).exists()
    )


def key_rounds() -> QuerySet[KeyRound]:
    return KeyRound.objects.select_related("meeting").order_by("-year")


def key_round_candidates(round_: KeyRound):
    return round_.candidates.select_related("proposal", "proposal__proposer", "proposed_by").order_by("id")


def awards(year: int | None = None) -> QuerySet[ExcellentAward]:
    qs = ExcellentAward.objects.select_related("proposal", "proposal__proposer", "proposal__category")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "id")


def department_awards(year: int | None = None) -> QuerySet[DepartmentAward]:
    qs = DepartmentAward.objects.select_related("department")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "id")


# --- 民主评议 ---------------------------------------------------------------------------------------


def _member_proposals(member_q: Q) -> QuerySet[Proposal]:
    return Proposal.objects.filter(member_q)


def departments_to_review(member: Member, year: int) -> list[Department]:
    """The departments that handled (主办/会办/分办, not cancelled) a proposal of the member's submitted
    in the year — as first proposer or confirmed co-signer."""
    mine = Proposal.objects.filter(
        Q(proposer=member)
        | Q(
            Exists(
                Cosigner.objects.filter(
                    proposal=OuterRef("pk"), member=member, status=Cosigner.Status.CONFIRMED
                )
            )
        )
    )
    tasks = Assignment.objects.filter(proposal__in=mine, stat_year=year).exclude(
        state=Assignment.State.CANCELLED
    )
    return list(Department.objects.filter(pk__in=tasks.values("department_id")).order_by("name"))


def review_members(year: int) -> QuerySet[Member]:
    """Members with at least one handled proposal in the year (who are asked to evaluate)."""
    tasks = Assignment.objects.filter(stat_year=year).exclude(state=Assignment.State.CANCELLED)
    proposals = Proposal.objects.filter(pk__in=tasks.values("proposal_id"))
    cosigned = Cosigner.objects.filter(proposal__in=proposals, status=Cosigner.Status.CONFIRMED)
    return Member.objects.filter(
        Q(pk__in=proposals.values("proposer_id")) | Q(pk__in=cosigned.values("member_id"))
    )


def member_review_forms(member: Member, round_: ReviewRound) -> list[dict]:
    """The member's own forms: one per department, with the member's answer if given (never others')."""
    departments = departments_to_review(member, round_.year)
    own = {r.department_id: r for r in DepartmentReview.objects.filter(round=round_, member=member)}
    return [{"department": d, "review": own.get(d.pk)} for d in departments]


def current_review_round() -> ReviewRound | None:
    return ReviewRound.objects.filter(state=ReviewRound.State.OPEN).order_by("-year").first()


def review_results(round_: ReviewRound | None = None, *, year: int | None = None) -> list[dict]:
    """Per department: forms, each dimension's counts and the score (0–100, the mean of both dimensions'
    points). One query."""
    if round_ is None:
        round_ = ReviewRound.objects.filter(year=year).first()
        if round_ is None:
            return []
    rows: dict[int, dict] = {}
    for department_id, name, attitude, result in DepartmentReview.objects.filter(round=round_).values_list(
        "department_id", "department__name", "attitude", "result"
    ):
        row = rows.setdefault(
            department_id,
            {
                "department": department_id,
                "name": name,
                "forms": 0,
                "attitude": Counter(),
                "result": Counter(),
                "points": Decimal(0),
            },
        )
        row["forms"] += 1
        row["attitude"][attitude] += 1
        row["result"][result] += 1
        row["points"] += (GRADE_POINTS[attitude] + GRADE_POINTS[result]) / 2
    out = []
    for row in sorted(rows.values(), key=lambda r: r["name"]):
        row["score"] = (row["points"] * 100 / row["forms"]).quantize(Decimal("0.1"))
        for dim in ("attitude", "result"):
            row[dim] = {g: row[dim][g] for g in DepartmentReview.Grade.values}
        out.append(row)
    return out


def revisit_count_for(proposal_ids) -> dict[int, int]:
    return Counter(Revisit.objects.filter(proposal_id__in=proposal_ids).values_list("proposal_id", flat=True))
