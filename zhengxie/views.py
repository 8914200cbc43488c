from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required

ROLE_HOME = {
    Role.STAFF: "workbench",
    Role.LEADER: "workbench",
    Role.MEMBER: "members:home",
    Role.DEPARTMENT: "portal:home",
}

# Admin sections the workbench links to; the admin registrations live in their own apps, so a
# section that is not registered yet is shown as not open instead of breaking the page.
WORKBENCH_SECTIONS = [
    ("委员名册", "委员基本信息、界别、党派与任职状态", "admin:members_member_changelist"),
    ("承办单位", "承办单位及其联系人、门户账号", "admin:accounts_department_changelist"),
    ("导入", "从 Excel 批量导入委员名册", "admin:members_member_import"),
]


def _admin_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def home(request):
    """Send each role to its own area."""
    return redirect(ROLE_HOME[request.user.effective_role])


@role_required(Role.STAFF, Role.LEADER)
def workbench(request):
    sections = [
        {"title": title, "description": description, "url": _admin_url(url_name)}
        for title, description, url_name in WORKBENCH_SECTIONS
    ]
    return render(
        request,
        "workbench/index.html",
        {"sections": sections},
    )
