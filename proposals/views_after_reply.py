"""After-the-reply pages (issue 20). Staff, under /workbench/proposals/after/: the revisit queue, one
proposal's 回访/成果转化/优秀提案/领办/批办/联合督办 panel, the award list (and its DOCX), the 重点提案
rounds, and the 民主评议 rounds with results per department. Members: /proposals/reviews/, their own
民主评议 forms. Each POST calls one service; a domain error is shown as a message."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from consultations.models import ConsultationType, Meeting
from members.models import Member
from zhengxie.accounts.models import Department, Role, User
from zhengxie.accounts.permissions import role_required
from zhengxie.page_actions import run_action as _run
from zhengxie.paging import CappedPaginator

from . import after_selectors, selectors, services
from .models import DepartmentReview, KeyRound, Outcome, Proposal, ReviewRound, Revisit

PAGE_SIZE = 30
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request, default=None):
    value = request.GET.get("year") or request.POST.get("year")
    try:
        return int(value) if value else default
    except ValueError:
        return default


# --- staff: 回访 queue and one proposal's panel -----------------------------------------------------


@require_GET
@role_required(Role.STAFF)
def revisit_queue(request):
    page = CappedPaginator(after_selectors.revisit_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "proposals/after/revisit_queue.html", {"page": page})


@require_GET
@role_required(Role.STAFF, Role.LEADER)
def panel(request, pk):
    proposal = selectors.access_proposal(request.user, pk)
    return render(
        request,
        "proposals/after/panel.html",
        {
            "proposal": proposal,
            **after_selectors.proposal_after_reply(proposal),
            "ways": Revisit.Way.choices,
            "kinds": Outcome.Kind.choices,
            "leaders": User.objects.filter(role=Role.LEADER, is_active=True).order_by("name"),
            "today": timezone.localdate(),
            "is_staff": request.user.effective_role == Role.STAFF,
        },
    )


def _panel_post(request, pk, call, success):
    proposal = selectors.access_proposal(request.user, pk)
    _run(request, lambda: call(proposal), success)
    return redirect("proposals_after:panel", pk=proposal.pk)


@require_POST
@role_required(Role.STAFF)
def revisit(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.proposal_revisit(
            actor=request.user,
            proposal=proposal,
            date=p.get("date"),
            way=p.get("way", ""),
            content=p.get("content", ""),
            proposer_view=p.get("proposer_view", ""),
        ),
        "回访已记录。",
    )


@require_POST
@role_required(Role.STAFF)
def outcome(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.proposal_add_outcome(
            actor=request.user,
            proposal=proposal,
            date=p.get("date"),
            kind=p.get("kind", ""),
            content=p.get("content", ""),
            document=request.FILES.get("document"),
        ),
        "成果转化已记录。",
    )


@require_POST
@role_required(Role.STAFF)
def award(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.proposal_award(
            actor=request.user,
            proposal=proposal,
            year=p.get("year"),
            title=p.get("title", ""),
            citation=p.get("citation", ""),
        ),
        "已评为优秀提案。",
    )


@require_POST
@role_required(Role.STAFF)
def key_leader(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.key_leader_add(
            actor=request.user,
            proposal=proposal,
            user=p.get("user") or None,
            name=p.get("name", ""),
            post=p.get("post", ""),
        ),
        "领办领导已添加。",
    )


@require_POST
@role_required(Role.STAFF)
def instruction(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.key_instruction_add(
            actor=request.user,
            proposal=proposal,
            leader=p.get("leader", ""),
            post=p.get("post", ""),
            content=p.get("content", ""),
            date=p.get("date"),
        ),
        "批办已记录。",
    )


@require_POST
@role_required(Role.STAFF)
def joint_supervision(request, pk):
    p = request.POST
    return _panel_post(
        request,
        pk,
        lambda proposal: services.joint_supervision_add(
            actor=request.user,
            proposal=proposal,
            office=p.get("office", ""),
            date=p.get("date"),
            note=p.get("note", ""),
        ),
        "联合督办已记录。",
    )


# --- staff: awards ---------------------------------------------------------------------------------


@require_GET
@role_required(Role.STAFF, Role.LEADER)
def awards(request):
    year = _year(request, timezone.localdate().year)
    return render(
        request,
        "proposals/after/awards.html",
        {
            "year": year,
            "awards": after_selectors.awards(year),
            "department_awards": after_selectors.department_awards(year),
            "departments": Department.objects.filter(is_active=True).order_by("name"),
        },
    )


@require_GET
@role_required(Role.STAFF, Role.LEADER)
def awards_docx(request):
    from .documents_after_reply import awards_docx as build

    year = _year(request, timezone.localdate().year)
    response = HttpResponse(build(year), content_type=DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="awards-{year}.docx"'
    return response


@require_POST
@role_required(Role.STAFF)
def department_award(request):
    p = request.POST
    _run(
        request,
        lambda: services.department_award(
            actor=request.user,
            department=p.get("department") or 0,
            year=p.get("year"),
            title=p.get("title", ""),
            citation=p.get("citation", ""),
        ),
        "已评为优秀承办单位。",
    )
    return redirect(f"/workbench/proposals/after/awards/?year={_year(request, '')}")


# --- staff: 重点提案 rounds ---------------------------------------------------------------------------


@role_required(Role.STAFF, Role.LEADER)
def key_rounds(request):
    if request.method == "POST":
        from django.core.exceptions import PermissionDenied

        if request.user.effective_role != Role.STAFF:
            raise PermissionDenied
        created = {}

        def create():
            created["round"] = services.key_round_create(
                actor=request.user, year=request.POST.get("year"), title=request.POST.get("title", "")
            )

        if _run(request, create, "遴选已建立。"):
            return redirect("proposals_after:key_round", pk=created["round"].pk)
        return redirect("proposals_after:key_rounds")
    return render(request, "proposals/after/key_rounds.html", {"rounds": after_selectors.key_rounds()})


@require_GET
@role_required(Role.STAFF, Role.LEADER)
def key_round(request, pk):
    round_ = get_object_or_404(KeyRound.objects.select_related("meeting"), pk=pk)
    meetings = Meeting.objects.filter(type=ConsultationType.CHAIR_MEETING).exclude(
        state=Meeting.State.CANCELLED
    )
    return render(
        request,
        "proposals/after/key_round.html",
        {
            "round": round_,
            "candidates": after_selectors.key_round_candidates(round_),
            "meetings": meetings.order_by("-start")[:50],
            "is_staff": request.user.effective_role == Role.STAFF,
        },
    )


@require_POST
@role_required(Role.STAFF)
def key_round_candidate(request, pk):
    number = (request.POST.get("number") or "").strip()
    proposal = Proposal.objects.filter(number=number).first() if number else None
    if proposal is None:
        messages.error(request, "没有这个编号的提案。")
    else:
        _run(
            request,
            lambda: services.key_round_add_candidate(
                actor=request.user, round=pk, proposal=proposal, reason=request.POST.get("reason", "")
            ),
            "候选提案已添加。",
        )
    return redirect("proposals_after:key_round", pk=pk)


@require_POST
@role_required(Role.STAFF)
def key_round_approve(request, pk):
    _run(
        request,
        lambda: services.key_round_approve(
            actor=request.user, round=pk, meeting=request.POST.get("meeting") or None
        ),
        "重点提案已审定。",
    )
    return redirect("proposals_after:key_round", pk=pk)


# --- staff: 民主评议 ---------------------------------------------------------------------------------


@role_required(Role.STAFF, Role.LEADER)
def review_rounds(request):
    if request.method == "POST":
        from django.core.exceptions import PermissionDenied

        if request.user.effective_role != Role.STAFF:
            raise PermissionDenied
        action, round_id = request.POST.get("action"), request.POST.get("round")
        if action == "create":
            _run(
                request,
                lambda: services.review_round_create(
                    actor=request.user, year=request.POST.get("year"), title=request.POST.get("title", "")
                ),
                "民主评议已建立。",
            )
        elif action == "open":
            _run(
                request,
                lambda: services.review_round_open(actor=request.user, round=round_id),
                "民主评议已开始。",
            )
        elif action == "close":
            _run(
                request,
                lambda: services.review_round_close(actor=request.user, round=round_id),
                "民主评议已结束。",
            )
        return redirect("proposals_after:review_rounds")
    rounds = list(ReviewRound.objects.order_by("-year"))
    shown = next((r for r in rounds if str(r.pk) == request.GET.get("round")), rounds[0] if rounds else None)
    return render(
        request,
        "proposals/after/review_rounds.html",
        {
            "rounds": rounds,
            "shown": shown,
            "results": after_selectors.review_results(shown) if shown else [],
            "is_staff": request.user.effective_role == Role.STAFF,
        },
    )


# --- members: 民主评议 forms --------------------------------------------------------------------------


@role_required(Role.MEMBER)
def member_reviews(request):
    member = get_object_or_404(Member, user=request.user)
    round_ = after_selectors.current_review_round()
    if request.method == "POST":
        if round_ is None:
            messages.error(request, "民主评议不在进行中。")
        else:
            p = request.POST
            _run(
                request,
                lambda: services.department_review_submit(
                    actor=request.user,
                    round=round_,
                    department=p.get("department") or 0,
                    attitude=p.get("attitude", ""),
                    result=p.get("result", ""),
                    comment=p.get("comment", ""),
                ),
                "评议已提交。",
            )
        return redirect("proposals_after:member_reviews")
    forms = after_selectors.member_review_forms(member, round_) if round_ else []
    return render(
        request,
        "proposals/after/member_reviews.html",
        {"round": round_, "forms": forms, "grades": DepartmentReview.Grade.choices},
    )


# --- departments: 成果转化 from the portal ------------------------------------------------------------


@require_POST
@role_required(Role.DEPARTMENT)
def portal_outcome(request, pk):
    task = selectors.access_assignment(request.user, pk)
    p = request.POST
    _run(
        request,
        lambda: services.proposal_add_outcome(
            actor=request.user,
            proposal=task.proposal_id,
            date=p.get("date"),
            kind=p.get("kind", ""),
            content=p.get("content", ""),
            document=request.FILES.get("document"),
        ),
        "成果转化已登记。",
    )
    return redirect(f"/portal/assignments/{task.pk}/")
