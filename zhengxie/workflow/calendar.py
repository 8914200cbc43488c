"""Working days (工作日) from the work-calendar table.

Requests read only the table: the `chinesecalendar` package is consulted by `load_year` (a command), since
it raises for years the State Council has not announced yet. A date past the table's data falls back to
Monday–Friday and the result is marked provisional — never an error.
"""

import calendar as _calendar
from datetime import date, timedelta
from typing import NamedTuple

from .models import WorkCalendarDay

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class CalendarYearUnavailable(Exception):
    pass


class Due(NamedTuple):
    date: date
    provisional: bool


def add_months(start: date, months: int) -> date:
    """Calendar months: 1月31日 + 1 month = 2月28日 (or 29日)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


class WorkCalendar:
    """The table's days for a span of years, read in one query."""

    def __init__(self, start_year: int, end_year: int):
        rows = WorkCalendarDay.objects.filter(
            date__year__gte=start_year, date__year__lte=end_year
        ).values_list("date", "is_workday")
        self.days: dict[date, bool] = dict(rows)
        self.loaded_years = {d.year for d in self.days}

    @classmethod
    def around(cls, day: date, years_after: int = 2) -> "WorkCalendar":
        return cls(day.year, day.year + years_after)

    def is_known(self, day: date) -> bool:
        return day.year in self.loaded_years

    def is_workday(self, day: date) -> bool:
        if day in self.days:
            return self.days[day]
        return day.weekday() < 5

    def next_workday(self, day: date) -> Due:
        """The day itself if it is a working day, else the next one."""
        provisional = False
        while not self.is_workday(day):
            provisional |= not self.is_known(day)
            day += timedelta(days=1)
        return Due(day, provisional or not self.is_known(day))

    def add_workdays(self, start: date, n: int) -> Due:
        """The n-th working day after `start` (start itself not counted)."""
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            provisional |= not self.is_known(day)
            if self.is_workday(day):
                counted += 1
        return Due(day, provisional)

    def sub_workdays(self, end: date, n: int) -> date:
        """The latest day d with workdays_between(d, end) == n: n working days before `end`."""
        day, counted = end, 0
        while counted < n:
            if self.is_workday(day):
                counted += 1
            day -= timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))

    def add_months(self, start: date, months: int) -> Due:
        """Months counted on the calendar; a due date on a rest day moves to the next working day."""
        return self.next_workday(add_months(start, months))

    def due(self, start: date, span: str) -> Due:
        """A span as stored on tasks: "3m" (months) or "15w" (working days)."""
        amount, unit = int(span[:-1]), span[-1]
        if unit == "m":
            return self.add_months(start, amount)
        if unit == "w":
            return self.add_workdays(start, amount)
        raise ValueError(f"unknown span {span!r}")


def due_date(start: date, span: str) -> Due:
    return WorkCalendar.around(start).due(start, span)


def package_days(year: int) -> list[tuple[date, bool, str]]:
    """Every day of `year` as the chinesecalendar package has it; raises CalendarYearUnavailable."""
    import chinese_calendar

    result = []
    day = date(year, 1, 1)
    try:
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            label = HOLIDAY_NAMES.get(name, name or "")
            if label and not is_holiday:
                label = f"{label}调休上班"
            result.append((day, not is_holiday, label))
            day += timedelta(days=1)
    except NotImplementedError as exc:
        raise CalendarYearUnavailable(
            f"chinesecalendar 数据包尚无 {year} 年的节假日安排，请升级该包或在后台手工录入。"
        ) from exc
    return result


# --- a year's holidays typed from the State Council notice ---------------------------------------------

_DATE = r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?"
_RANGE_SEP = r"\s*(?:~|～|至|到|—|–)\s*"
_WORK_WORDS = ("调休上班", "上班")


def parse_holiday_notice(text: str, year: int) -> list[tuple[date, bool, str]]:
    """The lines of a 放假安排 as staff type them, one range or list of days a line:

        2027-01-01~2027-01-03 元旦
        2027-02-06~2027-02-12 春节
        调休上班 2027-02-07、2027-02-20        (or: 2027-02-07 调休上班)

    A line naming 上班 makes working days (调休), any other line holidays. Returns (day, is_workday, name)
    for every day named; raises InvalidInput (with the line number) on anything it cannot read, or a
    day outside `year`, or a day named twice."""
    import re

    from .errors import InvalidInput

    days: dict[date, tuple[bool, str]] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        is_work = any(word in line for word in _WORK_WORDS)
        spans: list[tuple[date, date]] = []
        rest = line
        pattern = re.compile(f"{_DATE}(?:{_RANGE_SEP}{_DATE})?")
        for match in pattern.finditer(line):
            try:
                start = date(int(match[1]), int(match[2]), int(match[3]))
                end = date(int(match[4]), int(match[5]), int(match[6])) if match[4] else start
            except ValueError:
                raise InvalidInput(f"第{number}行：“{match[0]}”不是有效日期。") from None
            if end < start:
                raise InvalidInput(f"第{number}行：结束日期早于开始日期。")
            if (end - start).days > 31:
                raise InvalidInput(f"第{number}行：一段假期不会超过一个月，请检查日期。")
            spans.append((start, end))
            rest = rest.replace(match[0], " ")
        if not spans:
            raise InvalidInput(f"第{number}行：没有找到日期（格式如 {year}-01-01~{year}-01-03 元旦）。")
        name = re.sub(r"[\s、，,;；]+", " ", rest).strip()
        for word in _WORK_WORDS:
            name = name.replace(word, "").strip()
        if is_work:
            name = f"{name}调休上班" if name else "调休上班"
        elif not name:
            raise InvalidInput(f"第{number}行：请写上节日名称（如 元旦、春节）。")
        for start, end in spans:
            day = start
            while day <= end:
                if day.year != year:
                    raise InvalidInput(f"第{number}行：{day:%Y-%m-%d}不在{year}年。")
                if day in days:
                    raise InvalidInput(f"第{number}行：{day:%Y-%m-%d}已在前面的行中出现。")
                days[day] = (is_work, name)
                day += timedelta(days=1)
    if not days:
        raise InvalidInput("请按行填写放假和调休上班日期。")
    return [(day, is_work, name) for day, (is_work, name) in sorted(days.items())]
