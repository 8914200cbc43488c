"""Deliberation reminders on the shared machinery: participants are told when it opens and a day before
it closes. Registered from DeliberationsConfig.ready."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from zhengxie.accounts.models import Role, User
from zhengxie.notifications.reminders import Candidate, Message, ReminderSource

from .models import Deliberation


def _day_bounds(day):
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _recipients(deliberation) -> list:
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(member__in=deliberation.participants.all())
            | Q(role=Role.DEPARTMENT, department__in=deliberation.departments.all())
        )
        .distinct()
        .order_by("pk")
    )


class DeliberationOpens(ReminderSource):
    """One reminder per deliberation on the day it opens (threshold = that day's ordinal, so a moved
    window is reminded again); the scan of a later day before it closes catches up once."""

    name = "deliberation_opens"
    kind = "deliberation_opens"

    def _rows(self, today):
        lo, hi = _day_bounds(today)
        return Deliberation.objects.filter(
            state=Deliberation.State.SCHEDULED, opens_at__lt=hi, closes_at__gt=lo
        )

    def _threshold(self, deliberation) -> int:
        return timezone.localtime(deliberation.opens_at).date().toordinal()

    def candidates(self, today):
        for row in self._rows(today).only("pk", "opens_at", "closes_at"):
            yield Candidate(Deliberation, row.pk, self.kind, self._threshold(row))

    def _still(self, row, reminder) -> bool:
        return row.state == Deliberation.State.SCHEDULED and self._threshold(row) == reminder.threshold

    def _message(self, row) -> tuple[str, str]:
        opens, closes = timezone.localtime(row.opens_at), timezone.localtime(row.closes_at)
        return (
            f"网络议政开始：{row.title}",
            f"{opens:%m月%d日 %H:%M}开始，{closes:%m月%d日 %H:%M}结束，欢迎发表意见建议。",
        )

    def render(self, reminders, today):
        rows = Deliberation.objects.in_bulk([r.object_id for r in reminders])
        result = {}
        for r in reminders:
            row = rows.get(r.object_id)
            if row is None or not self._still(row, r):
                result[r.pk] = None
                continue
            recipients = _recipients(row)
            if not recipients:
                result[r.pk] = None
                continue
            title, body = self._message(row)
            result[r.pk] = Message(
                recipients=recipients, title=title, body=body, link=f"/deliberations/{row.pk}/"
            )
        return result


class DeliberationClosesTomorrow(DeliberationOpens):
    name = "deliberation_closes_tomorrow"
    kind = "deliberation_closes"

    def _rows(self, today):
        lo, hi = _day_bounds(today + timedelta(days=1))
        return Deliberation.objects.filter(
            state=Deliberation.State.SCHEDULED, closes_at__gte=lo, closes_at__lt=hi
        )

    def _threshold(self, deliberation) -> int:
        return timezone.localtime(deliberation.closes_at).date().toordinal()

    def _message(self, row) -> tuple[str, str]:
        closes = timezone.localtime(row.closes_at)
        return f"网络议政明日结束：{row.title}", f"将于{closes:%m月%d日 %H:%M}结束，尚未发言的委员请抓紧。"


def register():
    from zhengxie.notifications.reminders import register_reminder_source

    register_reminder_source(DeliberationOpens())
    register_reminder_source(DeliberationClosesTomorrow())
