from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role

from .selectors import member_list


def member_home(request):
    """The member site's front page. `/` is everyone's entry point, so other roles are sent on to
    their own area instead of being refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not has_role(request.user, Role.MEMBER):
        return redirect("home")
    member = member_list(user=request.user).filter(user=request.user).first()
    return render(
        request,
        "members/home.html",
        {"member": member},
    )
