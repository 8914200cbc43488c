"""The committee's name and level (COMMITTEE_REGION / COMMITTEE_NAME / COMMITTEE_SHORT_NAME settings),
used by every document and page header — a 省, 市, 区 or 县 committee prints its own name."""

from django.conf import settings


def full_name() -> str:
    """中国人民政治协商会议某市委员会 — letterheads and formal titles."""
    return settings.COMMITTEE_NAME


def short_name() -> str:
    """某市政协 — running text (“关于某市政协十五届二次会议第0001号提案的答复”) and page headers."""
    return settings.COMMITTEE_SHORT_NAME


def session_name(term, plenary=None) -> str:
    """政协某市第十五届委员会第二次会议 — a term (and plenary) of this committee, as forms head it."""
    return f"政协{settings.COMMITTEE_REGION}{term.name}委员会{plenary.name if plenary else ''}"


def context(request) -> dict:
    return {"committee": {"name": full_name(), "short_name": short_name()}}
