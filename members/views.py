from django.shortcuts import render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required


@role_required(Role.MEMBER)
def member_home(request):
    return render(request, "members/home.html")
