from celery import shared_task
from django.utils import timezone

from zhengxie.accounts.models import Role, User
from zhengxie.notifications.services import notify

from .models import WorkCalendarDay


@shared_task(name="zhengxie.workflow.remind_next_year_calendar")
def remind_next_year_calendar() -> bool:
    """Each November (and December until done) remind staff to load next year's holidays."""
    next_year = timezone.localdate().year + 1
    if WorkCalendarDay.objects.filter(date__year=next_year).exists():
        return False
    notify(
        recipients=User.objects.filter(role=Role.STAFF, is_active=True),
        title=f"请录入{next_year}年节假日安排",
        body=(
            f"工作日历尚无{next_year}年数据，办理期限将按周一至周五推算并标为“待定”。国务院公布安排后，"
            f"请在“录入节假日安排”页按通知填写（或运行 manage.py load_work_calendar {next_year}）。"
        ),
        link="/workbench/calendar/holidays/",
    )
    return True
