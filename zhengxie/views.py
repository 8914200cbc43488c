from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required

ROLE_HOME = {
    Role.STAFF: "workbench",
    Role.LEADER: "workbench",
    Role.MEMBER: "members:home",
    Role.DEPARTMENT: "portal:home",
}


@login_required
def home(request):
    """Send each role to its own area."""
    return redirect(ROLE_HOME[request.user.effective_role])


@role_required(Role.STAFF, Role.LEADER)
def workbench(request):
    return render(request, "workbench/index.html")
