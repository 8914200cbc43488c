"""Pages of the plenary season (issue 19): the similar-proposal hint on the proposal form (htmx), the
staff 代录 form, the bulk 交办 screen, and the public disclosure pages (no login)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_GET

from members.models import Member, Plenary
from zhengxie import textsearch
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import role_required
from zhengxie.paging import CappedPaginator
from zhengxie.params import parse_int
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.selectors import policy_current

from . import season_selectors, services
from .forms import ProposalForm
from .models import Assignment, Proposal
from .page_selectors import active_categories, text_limits

HINT_LIMIT = 5
BULK_PAGE_SIZE = 50
PUBLIC_CACHE_SECONDS = 60


@require_GET
@role_required(Role.MEMBER, Role.STAFF, Role.LEADER)
def similar_hint(request):
    """The htmx fragment under the proposal form: the most similar proposals to what is being typed."""
    exclude = request.GET.get("exclude")
    rows = season_selectors.similar_proposals(
        request.user,
        title=(request.GET.get("title") or "")[:500],
        content=(request.GET.get("content") or "")[:20000],
        exclude=parse_int(exclude),
        limit=HINT_LIMIT,
    )
    return render(
        request,
        "proposals/season/_similar_hint.html",
        {"rows": [(row, season_selectors.proposal_year(row)) for row in rows]},
    )


# --- 代录 --------------------------------------------------------------------------------------------


class EnterForMemberForm(ProposalForm):
    proposer = forms.ModelChoiceField(
        label="第一提案人",
        queryset=Member.objects.filter(status=Member.Status.SERVING)
        .select_related("sector")
        .order_by("name"),
        error_messages={
            "required": "请选择第一提案人（委员）。",
            "invalid_choice": "第一提案人不是在任委员。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in Proposal.Kind.choices if c[0] != Proposal.Kind.COLLECTIVE]
        self.fields["proposer"].label_from_instance = lambda m: (
            f"{m.name}（{m.sector.name}）" if m.sector_id else m.name
        )

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "proposer": self.cleaned_data["proposer"]}


@role_required(Role.STAFF)
def enter_for_member(request):
    """代录: staff type in a member's paper proposal (individual or joint); it is the member's."""
    if request.method == "POST":
        form = EnterForMemberForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    proposal = services.proposal_create(actor=request.user, **form.service_arguments())
                    if form.cleaned_data.get("attachment"):
                        services.proposal_attachment_add(
                            actor=request.user,
                            proposal=proposal,
                            uploaded_file=form.cleaned_data["attachment"],
                        )
                    if request.POST.get("action") == "submit":
                        proposal = services.proposal_submit(actor=request.user, proposal=proposal)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"已为{proposal.proposer.name}代录提案《{proposal.title}》"
                    + ("并提交。" if request.POST.get("action") == "submit" else "（草稿）。"),
                )
                return redirect("proposals:review", pk=proposal.pk)
    else:
        form = EnterForMemberForm(initial={"during_plenary": "1"})
    return render(request, "proposals/season/enter.html", {"form": form, "limits": text_limits()})


# --- bulk 交办 ---------------------------------------------------------------------------------------


@role_required(Role.STAFF)
def assign_bulk(request):
    """The 交办会 screen: pick the proposals, a lead (and optionally a co) department each; all or nothing."""
    params = {k: (request.GET.get(k) or "").strip() for k in ("plenary", "category", "q")}
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    if request.method == "POST":
        items = []
        for raw in request.POST.getlist("pick"):
            if parse_int(raw) is None:
                continue
            lead = request.POST.get(f"lead_{raw}", "")
            co = request.POST.get(f"co_{raw}", "")
            rows = [{"department": lead, "role": Assignment.Role.LEAD}] if lead else []
            if co:
                rows.append({"department": co, "role": Assignment.Role.CO})
            items.append({"proposal": int(raw), "assignments": rows})
        try:
            done = services.proposals_assign_bulk(actor=request.user, items=items)
        except DomainError as exc:
            messages.error(request, f"未交办（全部保持原状）：{exc.message}")
        else:
            messages.success(request, f"已交办 {len(done)} 件提案。")
            return redirect(request.get_full_path())
    page = CappedPaginator(season_selectors.assignable_proposals(params), BULK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    textsearch.with_snippets(page, params["q"])
    suggestions = season_selectors.suggested_departments(page.object_list)
    from .services.handling import _due, _today, assign_span

    policy = policy_current()
    today = _today()
    preview = {
        "lead": _due(today, assign_span(Assignment.Role.LEAD, policy)).date,
        "co": _due(today, assign_span(Assignment.Role.CO, policy)).date,
    }
    return render(
        request,
        "proposals/season/assign_bulk.html",
        {
            "page": page,
            "rows": [(p, suggestions.get(p.pk)) for p in page.object_list],
            "departments": departments,
            "params": params,
            "categories": active_categories(),
            "plenaries": Plenary.objects.select_related("term").order_by("-term__number", "-number"),
            "preview": preview,
            "posted": request.POST if request.method == "POST" else {},
        },
    )


@require_GET
@role_required(Role.STAFF)
def assignments_export(request):
    """The 交办会's Excel of all assignments (of the chosen plenary / term / year)."""
    from zhengxie.api_files import XLSX, attachment
    from zhengxie.jobs import views as jobs_views
    from zhengxie.jobs.models import Job
    from zhengxie.params import parse_year

    from .season_documents import all_assignments_download

    found = all_assignments_download(
        request.user,
        term=parse_int(request.GET.get("term")),
        plenary=parse_int(request.GET.get("plenary")),
        year=parse_year(request.GET.get("year")),
    )
    if isinstance(found, Job):
        return jobs_views.started(found)  # too many rows for the request: the job page
    content, name = found
    return attachment(content, XLSX, name)


# --- public disclosure ------------------------------------------------------------------------------


@cache_page(PUBLIC_CACHE_SECONDS)
def public_list(request):
    params = {k: (request.GET.get(k) or "").strip() for k in ("year", "category", "department", "q")}
    page = CappedPaginator(season_selectors.public_proposals(params), 20).get_page(request.GET.get("page"))
    textsearch.with_snippets(page, params["q"])
    return render(
        request,
        "proposals/season/public_list.html",
        {
            "page": page,
            "params": params,
            "categories": active_categories(),
            "departments": Department.objects.filter(is_active=True).order_by("name"),
        },
    )


@cache_page(PUBLIC_CACHE_SECONDS)
def public_detail(request, pk):
    return render(request, "proposals/season/public_detail.html", {"p": season_selectors.public_proposal(pk)})
