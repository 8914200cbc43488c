"""Working days on the real 2026 calendar (国庆, 春节 and their 调休 Saturdays) and past its data."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from zhengxie.workflow.calendar import CalendarYearUnavailable, WorkCalendar, add_months, due_date
from zhengxie.workflow.models import WorkCalendarDay
from zhengxie.workflow.services import work_calendar_day_set, work_calendar_load_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal2026():
    work_calendar_load_year(actor=None, year=2026)
    return WorkCalendar(2026, 2028)


def test_load_year_fills_every_day_with_chinese_names(cal2026):
    assert WorkCalendarDay.objects.filter(date__year=2026).count() == 365
    assert WorkCalendarDay.objects.get(date=date(2026, 10, 1)).name == "国庆节"
    saturday = WorkCalendarDay.objects.get(date=date(2026, 10, 10))
    assert saturday.is_workday and saturday.name == "国庆节调休上班"


def test_national_day_2026(cal2026):
    assert cal2026.add_workdays(date(2026, 9, 30), 1) == (date(2026, 10, 8), False)
    assert cal2026.add_workdays(date(2026, 9, 24), 3).date == date(2026, 9, 30)  # 中秋 25–27 skipped
    assert cal2026.add_workdays(date(2026, 10, 9), 1).date == date(2026, 10, 10)  # 调休 Saturday works
    assert cal2026.workdays_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert cal2026.workdays_between(date(2026, 10, 8), date(2026, 9, 30)) == -1


def test_spring_festival_2026(cal2026):
    assert cal2026.add_workdays(date(2026, 2, 13), 1).date == date(2026, 2, 14)  # 调休 Saturday
    assert cal2026.add_workdays(date(2026, 2, 14), 1).date == date(2026, 2, 24)  # 15–23 off
    assert cal2026.workdays_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14 and 24–28


def test_month_spans_land_on_the_next_working_day(cal2026):
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert cal2026.add_months(date(2026, 7, 1), 3) == (date(2026, 10, 8), False)
    assert cal2026.due(date(2026, 6, 15), "3m").date == date(2026, 9, 15)


def test_deadline_into_2027_falls_back_to_weekdays_and_is_provisional(cal2026):
    due = cal2026.add_workdays(date(2026, 12, 30), 5)
    assert due == (date(2027, 1, 6), True)  # 31, 1 (Fri, fallback), 4, 5, 6
    assert due_date(date(2026, 12, 1), "3m") == (date(2027, 3, 1), True)
    assert due_date(date(2026, 6, 1), "1m").provisional is False


def test_no_table_data_falls_back_without_error():
    cal = WorkCalendar(2026, 2026)
    assert cal.add_workdays(date(2026, 9, 30), 1) == (date(2026, 10, 1), True)


def test_reloading_changes_nothing_and_keeps_manual_days(cal2026):
    work_calendar_day_set(actor=None, day=date(2026, 11, 20), is_workday=False, name="地方节日")
    result = work_calendar_load_year(actor=None, year=2026)
    assert result["created"] == 0 and result["updated"] == 0 and result["kept_manual"] == 1
    assert not WorkCalendarDay.objects.get(date=date(2026, 11, 20)).is_workday


def test_year_without_package_data_is_a_clear_error():
    with pytest.raises(CalendarYearUnavailable, match="2099"):
        work_calendar_load_year(actor=None, year=2099)
    with pytest.raises(CommandError, match="尚无 2099 年"):
        call_command("load_work_calendar", "2099")
    assert not WorkCalendarDay.objects.exists()


def test_command_loads_a_year(capsys):
    call_command("load_work_calendar", "2025")
    assert "2025年：新增365天" in capsys.readouterr().out


def test_sub_workdays_is_the_inverse_of_workdays_between(cal2026):
    day = cal2026.sub_workdays(date(2026, 10, 9), 3)
    assert cal2026.workdays_between(day, date(2026, 10, 9)) == 3
    assert day == date(2026, 9, 29)  # 9/30, 10/8 and 10/9 are the three working days after it
