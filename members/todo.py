"""The member home's to-do list (待办): what waits for the member's own action, at the top of `/`.

members never imports the apps above it: proposals, consultations and sqyy register a source from their
ready(). A source is a callable `source(member) -> list[TodoGroup]` costing a fixed number of queries
whatever the number of rows (each group is one query)."""

from collections.abc import Callable
from dataclasses import dataclass, field

SHOWN = 5  # items listed per group; the count covers all


@dataclass
class TodoItem:
    title: str
    url: str
    note: str = ""


@dataclass
class TodoGroup:
    key: str
    label: str
    items: list[TodoItem] = field(default_factory=list)
    list_url: str = ""
    order: int = 50
    total: int | None = None  # how many wait, when `items` holds only the first of them

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.items)

    @property
    def shown(self) -> list[TodoItem]:
        return self.items[:SHOWN]

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.shown))


_sources: list[Callable] = []


def register_todo_source(source: Callable) -> None:
    if source not in _sources:
        _sources.append(source)


def member_todo(member) -> list[TodoGroup]:
    """Every registered group that has something waiting, in a fixed order."""
    if member is None:
        return []
    groups = [g for source in _sources for g in source(member) if g.count]
    return sorted(groups, key=lambda g: (g.order, g.key))
