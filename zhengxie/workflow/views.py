from django.shortcuts import render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.views import unread_notification_count


@role_required(Role.DEPARTMENT)
def portal_home(request):
    return render(
        request,
        "portal/index.html",
        {
            "department": request.user.department,
            "tasks": [],  # 承办任务 arrive with the proposals and sqyy issues.
            "unread_count": unread_notification_count(request.user),
        },
    )
