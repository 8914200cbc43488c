"""Query-string values parsed the same way everywhere: years in a sane range, integers, no surprises.

Values arrive without control characters already (zhengxie.middleware); these turn the rest of what a
user can type into either a value or None, so a list answers an empty result and an API a Chinese 400
instead of a crash deep in the ORM (year 0, year 10000, "²".isdigit() is True but int("²") fails).
"""

import re

from zhengxie.workflow.errors import InvalidInput

YEAR_MIN, YEAR_MAX = 1949, 2100
_INT = re.compile(r"[0-9]{1,18}")


def parse_int(value) -> int | None:
    """A non-negative integer written in ASCII digits, or None."""
    text = str(value if value is not None else "").strip()
    return int(text) if _INT.fullmatch(text) else None


def parse_year(value) -> int | None:
    """A year between 1949 and 2100, or None."""
    year = parse_int(value)
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else None


def year_or_400(value, *, default: int | None = None) -> int:
    """For APIs: empty gives `default`; anything but a sane year is InvalidInput (a Chinese 400)."""
    if value in (None, "") and default is not None:
        return default
    year = parse_year(value)
    if year is None:
        raise InvalidInput(f"年份应为 {YEAR_MIN}–{YEAR_MAX} 之间的四位数字，如 ?year=2026。")
    return year


def is_int(value) -> bool:
    """Whether `value` is a non-negative integer in ASCII digits (unlike str.isdigit, "²" is not)."""
    return parse_int(value) is not None


def bounded_int_or_400(value, *, default: int, low: int, high: int, name: str) -> int:
    """For APIs: empty gives `default`; an integer within low–high is itself; anything else is InvalidInput."""
    if value in (None, ""):
        return default
    number = parse_int(value)
    if number is None or not low <= number <= high:
        raise InvalidInput(f"{name} 应为 {low}–{high} 之间的整数。")
    return number
