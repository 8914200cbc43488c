"""社情民意 sent back to the member for changes, for the member home's to-do list (members.todo)."""

from django.db.models import Q
from django.urls import reverse

from members.todo import TodoGroup, TodoItem

from .models import OpinionReport


def opinion_todo(member) -> list[TodoGroup]:
    rows = (
        OpinionReport.objects.filter(Q(reflector=member) | Q(created_by_id=member.user_id))
        .filter(state=OpinionReport.State.RETURNED)
        .only("pk", "title", "return_reason")
        .order_by("-id")
    )
    items = [
        TodoItem(title=r.title, url=reverse("sqyy:my_detail", args=[r.pk]), note=r.return_reason[:40])
        for r in rows
    ]
    return [
        TodoGroup("opinion_returned", "退回修改的社情民意", items, list_url=reverse("sqyy:my_list"), order=45)
    ]
