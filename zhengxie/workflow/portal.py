"""The department portal's home lists every kind of HandlingTask (提案交办, 社情民意转办 …).

`workflow` cannot import the apps above it, so each kind registers a *portal source* from its app's
ready(). A source answers two questions for one department: how many tasks fall under each count, and
the rows under one status, ordered by due date. The portal home sums the counts and merges the rows.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

# The counts on the portal home, in display order; each is also a list filter (?status=...).
COUNT_LABELS = {
    "pending": "待签收",
    "in_progress": "办理中",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "replied": "已答复",
}
# List filters besides the counts: every open task (the default) and everything not cancelled.
STATUS_LABELS = {"open": "全部在办", **COUNT_LABELS, "all": "全部"}
DEFAULT_STATUS = "open"
# Days left at or below this show in orange and count as 即将到期.
SOON_DAYS = 7


@dataclass(frozen=True)
class PortalRow:
    kind_label: str  # 提案 / 社情民意
    title: str
    number: str
    role_label: str  # 主办 / 会办 / 分办 …
    state_label: str
    due_date: date
    due_provisional: bool
    is_open: bool
    days_left: int
    url: str
    # Under a search (`q`): the relevance and a highlighted excerpt of the matched text ('' if none).
    rank: float = 0.0
    snippet: str = field(default="", compare=False)

    @property
    def urgency(self) -> str:
        """overdue / soon / normal for open tasks, done otherwise: the colour of the days-left mark."""
        if not self.is_open:
            return "done"
        if self.days_left < 0:
            return "overdue"
        if self.days_left <= SOON_DAYS:
            return "soon"
        return "normal"

    @property
    def days_text(self) -> str:
        if not self.is_open:
            return self.state_label
        if self.days_left < 0:
            return f"已超期{-self.days_left}天"
        if self.days_left == 0:
            return "今天到期"
        return f"剩余{self.days_left}天"


class PortalSource(Protocol):
    def counts(self, department_id: int, *, today: date) -> dict[str, int]:
        """Every key of COUNT_LABELS. `in_progress` is every open task that is not pending, so
        pending + in_progress is the number of open tasks; due_soon is open with 0..SOON_DAYS left."""

    def rows(self, department_id: int, *, status: str, today: date, limit: int) -> list[PortalRow]:
        """At most `limit` rows under `status` (a key of STATUS_LABELS), earliest due date first."""

    def search(self, department_id: int, *, status: str, today: date, params, limit: int) -> "Found":
        """The rows under `status` matching params["q"] (only the department's own tasks and replies),
        ranked unless params["ordering"] asks otherwise or the word is too common (zhengxie.textsearch)."""


@dataclass(frozen=True)
class Found:
    rows: list  # at most `limit` PortalRow, best first (or by due date when by_time)
    total: int
    by_time: bool = False
    capped: bool = False  # more matches than SEARCH_COUNT_CAP: `total` is the cap


# A search's matches are counted to this many, like every list (zhengxie.paging.COUNT_CAP).
SEARCH_COUNT_CAP = 10_000


def search_total(qs, found: int, limit: int) -> tuple[int, bool]:
    """(total, capped) of a source's search that found `found` rows when asked for `limit`: fewer than
    the limit is all of them (no count to run); else a count capped at SEARCH_COUNT_CAP (answered by the
    count the search made to decide on ranking when it reached as far: zhengxie.paging.counts_remembered)."""
    if found < limit:
        return found, False
    from zhengxie.paging import capped_count

    total, exact = capped_count(qs, SEARCH_COUNT_CAP)
    return total, not exact


_sources: list = []


def register_portal_source(source: PortalSource) -> None:
    if source not in _sources:
        _sources.append(source)


def portal_sources() -> list:
    return list(_sources)


def status_total(counts: dict[str, int], status: str) -> int:
    """How many rows a status lists, from the counts (no extra query)."""
    if status == "open":
        return counts["pending"] + counts["in_progress"]
    if status == "all":
        return counts["pending"] + counts["in_progress"] + counts["replied"]
    return counts[status]


def portal_overview(department_id: int, *, status: str, today: date, page: int, per_page: int) -> dict:
    """The counts and one page of the merged list: two queries per registered source."""
    counts = dict.fromkeys(COUNT_LABELS, 0)
    rows: list[PortalRow] = []
    limit = page * per_page
    for source in portal_sources():
        for key, value in source.counts(department_id, today=today).items():
            counts[key] = counts.get(key, 0) + value
        rows.extend(source.rows(department_id, status=status, today=today, limit=limit))
    rows.sort(key=lambda row: (row.due_date, row.number))
    total = status_total(counts, status)
    return {
        "counts": counts,
        "rows": rows[(page - 1) * per_page : limit],
        "total": total,
        "num_pages": max(1, -(-total // per_page)),
    }


def portal_search(department_id: int, *, status: str, today: date, params, page: int, per_page: int) -> dict:
    """portal_overview under a search: the counts, and one page of the tasks matching params["q"] (every
    source's, merged by relevance; by due date when `ordering` asks for it or a source found too many)."""
    counts = dict.fromkeys(COUNT_LABELS, 0)
    rows: list[PortalRow] = []
    limit = page * per_page
    total, by_time, capped = 0, False, False
    for source in portal_sources():
        for key, value in source.counts(department_id, today=today).items():
            counts[key] = counts.get(key, 0) + value
        found = source.search(department_id, status=status, today=today, params=params, limit=limit)
        rows.extend(found.rows)
        total += found.total
        by_time = by_time or found.by_time
        capped = capped or found.capped
    ranked = not by_time and (params.get("ordering") or "relevance") == "relevance"
    if ranked:
        rows.sort(key=lambda row: (-row.rank, row.due_date, row.number))
    else:
        rows.sort(key=lambda row: (row.due_date, row.number))
    return {
        "counts": counts,
        "rows": rows[(page - 1) * per_page : limit],
        "total": total,
        "total_label": f"{total:,}+" if capped else f"{total}",
        "num_pages": max(1, -(-total // per_page)),
        "by_time": by_time,
    }
