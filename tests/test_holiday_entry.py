"""期限待定 explained, and a year's official holidays typed in one go (ranges and 调休 days), after which
open due dates are recomputed and the departments told."""

from datetime import date

import pytest

from proposals.models import Assignment
from tests.test_portal_pages import assigned, co_department, co_user, media, registered  # noqa: F401
from zhengxie.notifications.models import Notification
from zhengxie.workflow.calendar import WorkCalendar, parse_holiday_notice
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.models import AuditEntry, WorkCalendarDay

pytestmark = pytest.mark.django_db
PAGE = "/workbench/calendar/holidays/"
NOTE = "按周一至周五暂算，国务院公布2099年节假日安排后自动更新"


def test_parse_ranges_and_adjusted_working_days():
    days = parse_holiday_notice(
        "2099-01-01~2099-01-03 元旦\n\n调休上班 2099-02-07、2099-02-20\n2099-10-01 至 2099-10-02 国庆节\n"
        "2099-05-04 调休上班",
        2099,
    )
    as_dict = {d: (w, n) for d, w, n in days}
    assert as_dict[date(2099, 1, 2)] == (False, "元旦")
    assert as_dict[date(2099, 2, 7)] == (True, "调休上班")
    assert as_dict[date(2099, 2, 20)] == (True, "调休上班")
    assert as_dict[date(2099, 10, 2)] == (False, "国庆节")
    assert as_dict[date(2099, 5, 4)] == (True, "调休上班")
    assert len(days) == 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2099-01-01~2099-01-03 元旦\n2098-12-31 元旦", "第2行：2098-12-31不在2099年"),
        ("元旦放假三天", "第1行：没有找到日期"),
        ("2099-01-03~2099-01-01 元旦", "第1行：结束日期早于开始日期"),
        ("2099-01-01~2099-01-03", "第1行：请写上节日名称"),
        ("2099-02-30 春节", "不是有效日期"),
        ("2099-01-01 元旦\n2099-01-01 元旦", "第2行：2099-01-01已在前面的行中出现"),
    ],
)
def test_parse_errors_name_the_line(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_holiday_notice(text, 2099)


def _provisional_task(lead):
    cal = WorkCalendar(2099, 2101)
    due = cal.due(date(2099, 1, 5), "1m")
    Assignment.objects.filter(pk=lead.pk).update(
        due_basis=date(2099, 1, 5), due_span="1m", due_date=due.date, due_provisional=due.provisional
    )
    return due


def test_provisional_due_dates_say_what_they_mean(client, assigned, department_user, staff_user):  # noqa: F811
    proposal, lead, _ = assigned
    due = _provisional_task(lead)
    assert due.provisional
    client.force_login(department_user)
    assert NOTE in client.get(f"/portal/assignments/{lead.pk}/").content.decode()
    assert NOTE in client.get("/portal/?status=all").content.decode()
    client.force_login(staff_user)
    assert NOTE in client.get(f"/workbench/proposals/{proposal.pk}/").content.decode()


def test_staff_enter_a_year_and_open_due_dates_follow(client, assigned, department_user, staff_user):  # noqa: F811
    _, lead, _ = assigned
    due = _provisional_task(lead)  # 2099-02-05, Monday–Friday only
    client.force_login(staff_user)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="holiday-form"' in page and "调休上班" in page
    text = f"2099-01-01 元旦\n{due.date:%Y-%m-%d}~2099-02-10 春节\n调休上班 2099-02-14"
    response = client.post(PAGE, {"year": 2099, "text": text}, follow=True)
    body = response.content.decode()
    assert "已录入2099年节假日安排" in body and "重算办理期限1项" in body
    lead.refresh_from_db()
    assert lead.due_date == date(2099, 2, 11) and not lead.due_provisional
    assert WorkCalendarDay.objects.filter(date__year=2099).count() == 365
    assert WorkCalendarDay.objects.get(date=date(2099, 2, 14)).is_workday
    assert not WorkCalendarDay.objects.get(date=date(2099, 2, 9)).is_workday
    assert Notification.objects.filter(recipient=department_user, title__startswith="办理期限调整").exists()
    entry = AuditEntry.objects.get(action="work_calendar_holidays_enter")
    assert entry.actor == staff_user and entry.detail["year"] == 2099
    client.force_login(department_user)
    assert NOTE not in client.get(f"/portal/assignments/{lead.pk}/").content.decode()


def test_a_bad_line_keeps_the_text_and_changes_nothing(client, staff_user):
    client.force_login(staff_user)
    text = "2099-01-01~2099-01-03 元旦\n春节放假"
    response = client.post(PAGE, {"year": 2099, "text": text})
    body = response.content.decode()
    assert response.status_code == 200 and "第2行：没有找到日期" in body and "春节放假" in body
    assert not WorkCalendarDay.objects.filter(date__year=2099).exists()


@pytest.mark.parametrize("who", ["leader_user", "department_user", "member_user"])
def test_only_staff_enter_holidays(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"year": 2099, "text": "2099-01-01 元旦"}).status_code == 403
    assert not WorkCalendarDay.objects.filter(date__year=2099).exists()


def test_admin_calendar_links_to_the_form(client, staff_user):
    client.force_login(staff_user)
    assert PAGE in client.get("/admin/workflow/workcalendarday/").content.decode()
