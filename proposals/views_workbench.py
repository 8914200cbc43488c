"""The staff and leader workbench: figures first, then the first-run checklist and the section links.

It lives in the highest app because it reads every app (members' checklist, proposals' rollups)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from members.selectors import first_run_checklist
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.views import workbench_sections

from .models import Proposal
from .stats import Scope, percent_text, proposal_stats

KEY_PROPOSALS_SHOWN = 8


def _figures(today) -> dict:
    """This year's headline figures from the stats rollups, and the open key proposals (fixed queries)."""
    stats = proposal_stats(Scope(year=today.year), today=today)
    key = list(
        Proposal.objects.filter(is_key=True)
        .exclude(state=Proposal.State.CLOSED)
        .only("pk", "number", "title", "state")
        .order_by("serial", "pk")[: KEY_PROPOSALS_SHOWN + 1]
    )
    return {
        "year": today.year,
        "overdue": stats["overdue"],
        "received": stats["received"],
        "pending_review": stats["pending_review"],
        "rates": [
            (
                "立案率",
                percent_text(stats["registration_rate"]),
                f"{stats['registered']}/{stats['received']}",
            ),
            ("答复率", percent_text(stats["reply_rate"]), f"{stats['replied']}/{stats['registered']}"),
            ("满意率", percent_text(stats["satisfaction_rate"]), f"{stats['satisfied']}/{stats['rated']}"),
        ],
        "key": key[:KEY_PROPOSALS_SHOWN],
        "more_key": len(key) > KEY_PROPOSALS_SHOWN,
    }


@role_required(Role.STAFF, Role.LEADER)
def workbench(request):
    today = timezone.localdate()
    is_staff = request.user.effective_role == Role.STAFF
    checklist = []
    if is_staff:
        checklist = first_run_checklist()
        for item in checklist:
            item["url"] = reverse(item["url_name"])
    return render(
        request,
        "workbench/index.html",
        {
            "figures": _figures(today),
            "checklist": checklist if any(not item["done"] for item in checklist) else [],
            "sections": workbench_sections(),
        },
    )
