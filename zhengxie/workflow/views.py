from django.shortcuts import render
from django.utils import timezone

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required

from .portal import COUNT_LABELS, DEFAULT_STATUS, SOON_DAYS, STATUS_LABELS, portal_overview

PER_PAGE = 50


@role_required(Role.DEPARTMENT)
def portal_home(request):
    """A clerk's desk: the counts, then every task of the department (all kinds) by due date."""
    status = request.GET.get("status") or DEFAULT_STATUS
    if status not in STATUS_LABELS:
        status = DEFAULT_STATUS
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    department = request.user.department
    overview = {"counts": dict.fromkeys(COUNT_LABELS, 0), "rows": [], "total": 0, "num_pages": 1}
    if department is not None:
        overview = portal_overview(
            department.pk, status=status, today=timezone.localdate(), page=page, per_page=PER_PAGE
        )
        if page > overview["num_pages"]:  # a stale link past the end shows the last page
            page = overview["num_pages"]
            overview = portal_overview(
                department.pk, status=status, today=timezone.localdate(), page=page, per_page=PER_PAGE
            )
    return render(
        request,
        "portal/index.html",
        {
            "department": department,
            "cards": [
                {"key": key, "label": label, "count": overview["counts"][key]}
                for key, label in COUNT_LABELS.items()
            ],
            "status": status,
            "status_label": STATUS_LABELS[status],
            "statuses": STATUS_LABELS,
            "rows": overview["rows"],
            "total": overview["total"],
            "page": page,
            "num_pages": overview["num_pages"],
            "soon_days": SOON_DAYS,
        },
    )
