from django.shortcuts import render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required


@role_required(Role.DEPARTMENT)
def portal_home(request):
    return render(
        request,
        "portal/index.html",
        {
            "department": request.user.department,
            "tasks": [],  # 承办任务 arrive with the proposals and sqyy issues.
        },
    )
