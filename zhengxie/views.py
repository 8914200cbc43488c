from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from zhengxie.accounts.models import Role

ROLE_HOME = {
    Role.STAFF: "workbench",
    Role.LEADER: "workbench",
    Role.MEMBER: "members:home",
    Role.DEPARTMENT: "portal:home",
}

# Sections the workbench links to (workbench pages and admin lists); they live in their own apps, so
# a section whose URL is not registered yet is shown as not open instead of breaking the page.
WORKBENCH_SECTIONS = [
    ("提案审查", "待审查提案：立案、退回、不予立案、并案，支持批量立案", "proposals:review_queue"),
    ("提案总览", "全部提案登记簿，按状态、类别、会次筛选", "proposals:staff_list"),
    ("督办台", "重点提案、超期未办、调整与延期申请", "proposals_handling:board"),
    ("到期提醒", "提醒发送情况、失败记录，立即扫描", "notifications:reminders"),
    ("委员履职", "履职积分排名、填报审核、低分提醒", "members:duty_ranking"),
    ("积分规则", "各年度积分方案与规则", "admin:members_scoringscheme_changelist"),
    ("委员名册", "委员基本信息、界别、党派与任职状态", "admin:members_member_changelist"),
    ("承办单位", "承办单位及其联系人、门户账号", "admin:accounts_department_changelist"),
    ("导入", "从 Excel 批量导入委员名册", "admin:members_member_import"),
    ("届次与会次", "开启本届、添加会次及其会期", "members:terms"),
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


def workbench_sections() -> list[dict]:
    """The section cards of the workbench (proposals.views_workbench renders the page)."""
    return [
        {"title": title, "description": description, "url": _admin_url(url_name)}
        for title, description, url_name in WORKBENCH_SECTIONS
    ]


def not_found(request, exception=None):
    """handler404: `{"detail": …}` for the API (its clients parse JSON), the Chinese page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    from zhengxie.middleware import API_NOT_FOUND

    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": API_NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
    return page_not_found(request, exception)
