"""The day before an activity, its invited members (not on leave) are reminded, on the shared machinery.
Registered from ActivitiesConfig.ready."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from zhengxie.notifications.reminders import Candidate, Message, ReminderSource

from .models import Activity, Participant


class ActivityTomorrow(ReminderSource):
    """One reminder per participant (threshold = the activity day's ordinal, so a moved activity is
    reminded again)."""

    name = "activity_tomorrow"

    def candidates(self, today):
        tomorrow = today + timedelta(days=1)
        lo = timezone.make_aware(datetime.combine(tomorrow, time.min))
        rows = (
            Participant.objects.filter(
                activity__state=Activity.State.PLANNED,
                activity__start__gte=lo,
                activity__start__lt=lo + timedelta(days=1),
            )
            .exclude(status=Participant.Status.LEAVE)
            .values_list("pk", flat=True)
        )
        for pk in rows.iterator(chunk_size=5000):
            yield Candidate(Participant, pk, "activity_tomorrow", tomorrow.toordinal())

    def render(self, reminders, today):
        rows = Participant.objects.select_related("activity", "member__user").in_bulk(
            [r.object_id for r in reminders]
        )
        result = {}
        for r in reminders:
            row = rows.get(r.object_id)
            still = (
                row is not None
                and row.activity.state == Activity.State.PLANNED
                and row.status != Participant.Status.LEAVE
                and timezone.localtime(row.activity.start).date().toordinal() == r.threshold
                and row.member.user_id
            )
            if not still:
                result[r.pk] = None
                continue
            when = timezone.localtime(row.activity.start)
            result[r.pk] = Message(
                recipients=[row.member.user],
                title=f"明日{row.activity.get_kind_display()}：{row.activity.title}",
                body=f"请于{when:%m月%d日 %H:%M}到{row.activity.place or '指定地点'}参加。",
                link=f"/activities/{row.activity.pk}/",
            )
        return result


def register():
    from zhengxie.notifications.reminders import register_reminder_source

    register_reminder_source(ActivityTomorrow())
