"""Pagination whose cost does not grow with the table: a capped count, and keyset cursors for the API.

- `capped_count(qs)` counts over a LIMITed subquery: exact up to COUNT_CAP rows, and "more than that"
  beyond (the page shows "10,000+ 件"); the API counts exactly up to API_COUNT_CAP rows and reports the
  planner's estimate (at least API_COUNT_CAP + 1) beyond.
- `CappedPaginator` is Django's Paginator with that count, for the server-rendered lists (pages reach the
  first COUNT_CAP rows; filters narrow a longer list).
- `KeysetPagination` (zhengxie.api.Pagination) keeps the API's `{"count","next","previous","results"}`;
  `next`/`previous` carry an opaque `cursor` (the ordering key and id of the edge row), so following `next`
  costs what page 1 costs; `?page=` still works for the first COUNT_CAP rows.
"""

import base64
import binascii
import copy
import json
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from zhengxie.figures_cache import remembered_list, remembered_read, remembered_rows

COUNT_CAP = 10_000
# A page counts this many rows past itself (CappedPaginator): enough for "第 1 / 51 页" and the next pages.
COUNT_WINDOW = 1_000
# The API's `count` is exact up to this many rows, then the planner's estimate: counting 10,000 visible rows
# (each through the reader's visibility rule) cost 50–170 ms a page at a quarter province, for a number a
# phone shows as "约 N 条". Clients page by `next`, not by the count.
API_COUNT_CAP = 1_000


# Within one GET request the same rows are often counted twice: a search decides whether to rank (a count
# capped at RANK_LIMIT) and the page then counts what it shows. The first count answers the second
# (`counts_remembered`, set per safe request by zhengxie.middleware.RequestMemoMiddleware).
_remembered: ContextVar[dict | None] = ContextVar("zhengxie_capped_counts", default=None)


@contextmanager
def counts_remembered():
    """Within this block, capped_count answers a count it has already made (same SQL) without a query."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def capped_count(qs, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact): the exact count when it is at most `cap`, else (cap, False). One bounded query, or
    none when the same rows were counted in this request with a cap that answers this one."""
    if not isinstance(qs, QuerySet):
        return len(qs), True
    # No ordering, no joined rows (select_related would join them inside the count), only the key.
    rows = qs.order_by().select_related(None).values("pk")
    memo, key = _remembered.get(), None
    if memo is not None:
        try:
            sql, params = rows.query.sql_with_params()
            key = (qs.db, sql, repr(params))
        except EmptyResultSet:
            key = None
        known = memo.get(key) if key else None
        if known is not None:
            n, counted_to = known
            if n <= counted_to:  # exact
                return (n, True) if n <= cap else (cap, False)
            if cap <= counted_to:  # more than counted_to, so more than cap
                return cap, False
    # Remembered while the database shows the same rows (zhengxie.figures_cache): 10,000 rows counted
    # through the reader's visibility on every view and every page.
    n = remembered_read(rows[: cap + 1], "count", lambda limited: limited.count())
    if key:
        memo[key] = (n, cap)
    return (n, True) if n <= cap else (cap, False)


def estimated_count(qs) -> int | None:
    """The planner's row estimate for the queryset (no rows are read); None if it cannot be had."""
    try:
        sql, params = qs.order_by().select_related(None).values("pk").query.sql_with_params()
        if connections[qs.db].vendor != "postgresql":
            return None
        plan = remembered_rows(f"EXPLAIN (FORMAT JSON) {sql}", params, using=qs.db)[0][0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])
    except Exception:  # an estimate is a nicety; never fail a list for it
        return None


def slice_rows(qs, start: int, stop: int) -> list:
    """qs[start:stop] as a list, read as the page's ids and then their rows. The ids are remembered while
    the database shows the same rows (a reader's visible set sorted, every match of a search ranked, the
    rows skipped on a deep page: what a page costs); the rows are read each time. Deep slices skip rows by
    id only (a "deferred join"), and joined whole rows made the planner read the joined table whole for a
    thousand matches."""
    if not isinstance(qs, QuerySet) or qs._iterable_class is not ModelIterable:
        return list(qs[start:stop])
    if _ranked_only(qs.query):
        # A search list: the ids come with their rank, and the rows are read by id alone (the text match
        # and the rank, reading every row's tsvectors again, were a whole second search of the page).
        ranked = remembered_list(qs.values_list("pk", RANK)[start:stop])
        ids, ranks = [pk for pk, _ in ranked], dict(ranked)
        by_pk = {row.pk: row for row in _plain_rows_by_id(qs, ids)}
        for pk, row in by_pk.items():
            setattr(row, RANK, ranks[pk])
        return [by_pk[pk] for pk in ids if pk in by_pk]
    ids = remembered_list(qs.values_list("pk", flat=True)[start:stop])
    by_pk = {row.pk: row for row in _rows_by_id(qs, ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


RANK = "search_rank"  # zhengxie.textsearch's relevance annotation


def _ranked_only(query) -> bool:
    """Whether the only value a queryset's rows carry beyond their columns is the search's rank (its other
    annotations, like the text match, are aliases: filters, not values)."""
    return set(query.annotation_select) == {RANK} and not (query.extra or query.distinct or query.combinator)


def _rows_by_id(qs, ids) -> QuerySet:
    """The rows of `ids`, read as `qs` reads them (its joins, deferred columns, prefetches). The ids were
    just chosen by qs's own filters, so its WHERE is not repeated: a member's visibility names the
    thousands of proposals they co-signed, and planning that array again cost ~5 ms a page. Querysets
    with annotations or DISTINCT keep their whole query (an annotation may read a filter's join)."""
    query = qs.query
    if query.annotations or query.extra or query.distinct or query.combinator:
        return qs.order_by().filter(pk__in=ids)
    return _plain_rows_by_id(qs, ids)


def _plain_rows_by_id(qs, ids) -> QuerySet:
    """The rows of `ids` with qs's joins, deferred columns and prefetches, and nothing of its filters or
    annotations."""
    query = qs.query
    rows = qs.model._default_manager.db_manager(qs.db).filter(pk__in=ids)
    rows.query.select_related = copy.deepcopy(query.select_related)
    rows.query.deferred_loading = query.deferred_loading
    rows._prefetch_related_lookups = qs._prefetch_related_lookups
    return rows


def _page_number(number) -> int:
    try:
        return max(1, int(str(number)))
    except (TypeError, ValueError):
        return 1


class CappedPaginator(Paginator):
    """Django's Paginator counting only as far as the reader can page: up to COUNT_WINDOW rows past the
    page asked for, never past COUNT_CAP. A list of 200,000 shows "1,020+ 件" on page 1 and pages on
    ("下一页"); counting 10,000 rows through the reader's visibility on every uncached view cost 9–30 ms at a
    quarter province, for a total nobody pages to. `count_label` is "N+" while the count is not exact;
    `at_cap` says the list goes on past what any page reaches (narrow it with filters)."""

    cap = COUNT_CAP
    window = COUNT_WINDOW
    _asked = 1

    def get_page(self, number):
        self._asked = _page_number(number)
        return super().get_page(number)

    def page(self, number):
        # A page past the one counted for (asked directly, or get_page's "last page"): count on.
        self._count_to_page(_page_number(number))
        number = self.validate_number(number)
        self._count_to_page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(slice_rows(self.object_list, bottom, top), number, self)

    def _count_to_page(self, number: int) -> None:
        if number > self._asked:
            self._asked = number
            for name in ("counted_to", "_capped", "count", "num_pages"):
                self.__dict__.pop(name, None)

    @cached_property
    def counted_to(self) -> int:
        return min(self.cap, self._asked * self.per_page + self.window)

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped_count(self.object_list, self.counted_to)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def count_exact(self) -> bool:
        return self._capped[1]

    @property
    def at_cap(self) -> bool:
        return not self.count_exact and self.counted_to >= self.cap

    @property
    def cap_label(self) -> str:
        return f"{self.cap:,}"

    @property
    def count_label(self) -> str:
        return str(self.count) if self.count_exact else f"{self.count:,}+"


# --- the API --------------------------------------------------------------------------------------


def keyset_ordering(qs) -> list[tuple[str, bool, object]] | None:
    """The queryset's ordering as [(attname, descending, field)] ending in the primary key, when every key
    is a non-null column of the model itself; None when the ordering cannot drive a keyset."""
    if not isinstance(qs, QuerySet):
        return None
    query = qs.query
    if query.order_by:
        ordering = list(query.order_by)
    else:
        ordering = list(qs.model._meta.ordering) if query.default_ordering else []
    if not ordering or query.distinct_fields or query.combinator:
        return None
    meta = qs.model._meta
    keys = []
    for item in ordering:
        if not isinstance(item, str) or item == "?":
            return None
        descending = item.startswith("-")
        name = item.lstrip("-")
        if "__" in name:
            return None
        if name == "pk":
            field = meta.pk
        else:
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:
                return None
        if not getattr(field, "concrete", False) or field.null or field.many_to_many:
            return None
        keys.append((field.attname, descending, field))
        if field.primary_key:
            break
    if not keys[-1][2].primary_key:
        keys.append((meta.pk.attname, keys[-1][1], meta.pk))
    return keys


def _encode(direction: str, values: list) -> str:
    raw = json.dumps({"d": direction, "v": [v.isoformat() if hasattr(v, "isoformat") else v for v in values]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, keys) -> tuple[str, list]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        direction, values = data["d"], data["v"]
        if direction not in ("n", "p") or len(values) != len(keys):
            raise ValueError
        return direction, [field.to_python(value) for (_, _, field), value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, KeyError, binascii.Error, DjangoValidationError, UnicodeDecodeError):
        raise ValidationError(
            {"detail": "无效的 cursor：请使用列表响应中 next / previous 给出的链接。"}
        ) from None


def _after(keys, values, *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the row with `values` in the order `keys`."""
    condition = Q()
    for i, (name, descending, _) in enumerate(keys):
        smaller = descending == forward  # forward along a descending key means smaller values
        step = Q(**{f"{name}__{'lt' if smaller else 'gt'}": values[i]})
        equal = Q(**{keys[j][0]: values[j] for j in range(i)})
        condition |= equal & step
    # A redundant bound on the first key lets the index range-scan from the cursor.
    first, descending, _ = keys[0]
    smaller = descending == forward
    return Q(**{f"{first}__{'lte' if smaller else 'gte'}": values[0]}) & condition


class KeysetPagination(BasePagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_param = "page"
    cursor_query_param = "cursor"
    max_offset = COUNT_CAP  # rows reachable with ?page=; deeper lists follow `next`
    # A list whose order cannot drive a cursor pages by offset to any depth, unless this caps it too.
    cap_unkeyed = False
    count_cap = API_COUNT_CAP

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        keys = keyset_ordering(queryset)
        if keys is not None:
            queryset = queryset.order_by(*[("-" if desc else "") + name for name, desc, _ in keys])
        self.keys = keys
        self.queryset = queryset
        self.next_values = self.previous_values = None
        self.page_number = None
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor:
            if keys is None:
                raise ValidationError({"detail": "该列表不支持 cursor 翻页，请使用 page 参数。"})
            direction, values = _decode(cursor, keys)
            forward = direction == "n"
            qs = queryset.filter(_after(keys, values, forward=forward))
            if not forward:
                qs = qs.reverse()
            rows = slice_rows(qs, 0, size + 1)
            more = len(rows) > size
            rows = rows[:size]
            if not forward:
                rows.reverse()
            has_next, has_previous = (more, True) if forward else (True, more)
        else:
            raw = request.query_params.get(self.page_query_param) or "1"
            try:
                number = int(raw)
                if number < 1:
                    raise ValueError
            except (TypeError, ValueError):
                if raw == "last":
                    raise ValidationError({"detail": "不支持 page=last：请沿 next 链接翻页。"}) from None
                raise NotFound("无效的页码。") from None
            offset = (number - 1) * size
            if keys is None and self.cap_unkeyed and offset >= self.max_offset:
                raise ValidationError(
                    {
                        "detail": f"page 只能翻到前 {self.max_offset:,} 条；请用筛选条件（年度、类别、关键词等）缩小范围。"
                    }
                )
            if keys is not None and offset >= self.max_offset:
                raise ValidationError(
                    {
                        "detail": f"page 只能翻到前 {self.max_offset:,} 条；更深处请沿响应中的 next 链接"
                        "（cursor 分页）翻页，或用筛选条件缩小范围。"
                    }
                )
            rows = slice_rows(queryset, offset, offset + size + 1)
            if number > 1 and not rows:
                raise NotFound("无效的页码。")
            has_next = len(rows) > size
            rows = rows[:size]
            has_previous = number > 1
            self.page_number = number
        if rows and keys is not None:
            if has_next:
                self.next_values = [getattr(rows[-1], name) for name, _, _ in keys]
            if has_previous:
                self.previous_values = [getattr(rows[0], name) for name, _, _ in keys]
        self.has_next, self.has_previous = has_next, has_previous
        self.row_count = len(rows)
        return rows

    def get_count(self) -> int:
        if not self.has_next and not self.has_previous:
            return self.row_count  # the whole list is on this page: nothing more to count
        count, exact = capped_count(self.queryset, self.count_cap)
        if exact:
            return count
        estimate = estimated_count(self.queryset)
        return max(count + 1, estimate or 0)

    def _url(self, **params) -> str:
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.cursor_query_param)
        url = remove_query_param(url, self.page_query_param)
        for key, value in params.items():
            url = replace_query_param(url, key, value)
        return url

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.next_values is not None:
            return self._url(cursor=_encode("n", self.next_values))
        return self._url(page=(self.page_number or 1) + 1)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.page_number is not None:
            return self._url() if self.page_number == 2 else self._url(page=self.page_number - 1)
        if self.previous_values is not None:
            return self._url(cursor=_encode("p", self.previous_values))
        return None

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("count", self.get_count()),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "example": 123,
                    "description": f"总条数：不超过 {API_COUNT_CAP:,} 时精确，超过时为估计值（大于 {API_COUNT_CAP:,}）",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        parameters = [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": f"页码（只能翻到前 {COUNT_CAP:,} 条；更深请沿 next 链接）",
                "schema": {"type": "integer"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数（最多 {self.max_page_size}）",
                "schema": {"type": "integer"},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "翻页游标：取自响应的 next / previous 链接，不要自行构造",
                "schema": {"type": "string"},
            },
        ]
        # A list without a page size of the client's choosing, or without cursors, does not offer them.
        return [
            p
            for p in parameters
            if p["name"] and (p["name"] != self.cursor_query_param or not self.cap_unkeyed)
        ]
