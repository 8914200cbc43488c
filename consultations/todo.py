"""Meeting invitations the member has not answered, for the member home's to-do list (members.todo)."""

from django.urls import reverse
from django.utils import timezone

from members.todo import TodoGroup, TodoItem

from .models import Attendance, Meeting


def meeting_todo(member) -> list[TodoGroup]:
    rows = (
        Attendance.objects.filter(
            member=member,
            reply=Attendance.Reply.PENDING,
            meeting__state=Meeting.State.PLANNED,
            meeting__start__gte=timezone.now(),
        )
        .select_related("meeting")
        .only("pk", "meeting__id", "meeting__title", "meeting__start")
        .order_by("meeting__start", "id")
    )
    items = [
        TodoItem(
            title=a.meeting.title,
            url=reverse("consultations:member_meeting", args=[a.meeting.pk]),
            note=timezone.localtime(a.meeting.start).strftime("%Y-%m-%d %H:%M"),
        )
        for a in rows
    ]
    return [
        TodoGroup("meeting", "会议邀请待回复", items, list_url=reverse("consultations:my_meetings"), order=30)
    ]
