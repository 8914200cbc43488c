"""Meeting reminders on the shared machinery: invited members are reminded the day before.
Registered from ConsultationsConfig.ready."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from zhengxie.notifications.reminders import Candidate, Message, ReminderSource

from .models import SESSION_TYPES, Attendance, Meeting


class MeetingTomorrow(ReminderSource):
    """One reminder per invitation (threshold = the meeting day's ordinal, so a meeting moved to another
    day is reminded again); members who asked for leave are not reminded."""

    name = "consultation_meeting_tomorrow"

    def _day_bounds(self, day):
        start = timezone.make_aware(datetime.combine(day, time.min))
        return start, start + timedelta(days=1)

    def candidates(self, today):
        tomorrow = today + timedelta(days=1)
        lo, hi = self._day_bounds(tomorrow)
        rows = (
            Attendance.objects.filter(
                meeting__state=Meeting.State.PLANNED, meeting__start__gte=lo, meeting__start__lt=hi
            )
            .exclude(reply=Attendance.Reply.LEAVE)
            .values_list("pk", flat=True)
        )
        for pk in rows.iterator(chunk_size=5000):
            yield Candidate(Attendance, pk, "meeting_tomorrow", tomorrow.toordinal())

    def render(self, reminders, today):
        rows = Attendance.objects.select_related("meeting", "member__user").in_bulk(
            [r.object_id for r in reminders]
        )
        result = {}
        for r in reminders:
            row = rows.get(r.object_id)
            still = (
                row is not None
                and row.meeting.state == Meeting.State.PLANNED
                and row.reply != Attendance.Reply.LEAVE
                and timezone.localtime(row.meeting.start).date().toordinal() == r.threshold
                and row.member.user_id
            )
            if not still:
                result[r.pk] = None
                continue
            when = timezone.localtime(row.meeting.start)
            result[r.pk] = Message(
                recipients=[row.member.user],
                title=f"明日协商活动：{row.meeting.title}",
                body=f"请于{when:%m月%d日 %H:%M}到{row.meeting.place}参加，入场时扫描签到二维码签到。",
                link=f"/meetings/{row.meeting.pk}/",
            )
        return result


class SessionToday(MeetingTomorrow):
    """The morning of a session (全会/常委会/主席会议): invitees without approved leave are reminded
    once more, by the morning scan, to come and check in."""

    name = "consultation_session_today"

    def candidates(self, today):
        lo, hi = self._day_bounds(today)
        rows = (
            Attendance.objects.filter(
                meeting__state=Meeting.State.PLANNED,
                meeting__type__in=list(SESSION_TYPES),
                meeting__start__gte=lo,
                meeting__start__lt=hi,
            )
            .exclude(reply=Attendance.Reply.LEAVE)
            .exclude(status__in=[Attendance.Status.LEAVE, Attendance.Status.PRESENT])
            .values_list("pk", flat=True)
        )
        for pk in rows.iterator(chunk_size=5000):
            yield Candidate(Attendance, pk, "session_today", today.toordinal())

    def render(self, reminders, today):
        result = super().render(reminders, today)
        for message in result.values():
            if message is not None:
                message.title = message.title.replace("明日协商活动", "今日会议")
        return result


def register():
    from zhengxie.notifications.reminders import register_reminder_source

    register_reminder_source(MeetingTomorrow())
    register_reminder_source(SessionToday())
