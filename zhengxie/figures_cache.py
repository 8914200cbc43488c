"""Figures remembered for exactly as long as the database shows the same rows.

A statistics page sums rollups and counts a year's records in tens of queries; it is read far more often
than anything it counts changes. `remembered(name, *key, compute=…)` keys the result with PostgreSQL's
current snapshot (`pg_current_snapshot()`: which transactions a new statement sees as committed) and
today's date. Two statements with the same snapshot see the same committed rows, so a remembered value
is the value compute() would give now; any write that commits anywhere (a service, the admin, an import,
a task, a manual SQL fix) moves the snapshot and the next reader computes afresh. Nothing to invalidate,
no signal to forget.

Not remembered: inside a transaction that has written (it sees its own uncommitted rows, which the
snapshot does not name), and on databases other than PostgreSQL.

Where: the `figures` cache. Each process's memory by default; with FIGURES_CACHE_URL (redis://…) one Redis
shared by every web worker, so a figure computed by one worker answers the others (the key names the
database server and database, so databases sharing a cluster's snapshots never share entries). The cache
is an aid, never a door: if it cannot be reached, the figure is computed.
"""

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model
from django.utils import timezone

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Entries of an older snapshot are never read again; they leave the cache after this long (or earlier,
# by the cache's own culling).
TIMEOUT_SECONDS = 600

_SNAPSHOT_SQL = "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NULL"


def database_state(using: str = "default") -> str | None:
    """A name for what a new statement on `using` sees, or None where it cannot be named."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT_SQL)
        snapshot, read_only_so_far = cursor.fetchone()
    return snapshot if read_only_so_far else None


def remembered(name: str, *key, compute: Callable[[], T], using: str = "default") -> T:
    """compute(), or what it gave for the same `name` and `key` under the same database state today."""
    state = database_state(using)
    if state is None:
        return compute()
    raw = repr((name, key, timezone.localdate().isoformat(), _database_name(using), state))
    cache_key = "figures:" + hashlib.sha1(raw.encode()).hexdigest()
    cache = caches["figures"]
    try:
        found = cache.get(cache_key)
    except Exception:  # a shared cache that is down: compute, as if it were empty
        logger.warning("figures cache unavailable", exc_info=True)
        return compute()
    if found is not None:
        return found[0]
    value = compute()
    try:
        cache.set(cache_key, (value,), TIMEOUT_SECONDS)
    except Exception:
        logger.warning("figures cache unavailable", exc_info=True)
    return value


def _database_name(using: str) -> str:
    """The server and database behind an alias: a shared cache serves several databases of one cluster
    (their snapshots are the cluster's)."""
    settings = connections[using].settings_dict
    return f"{settings.get('HOST')}:{settings.get('PORT')}/{settings.get('NAME')}"


def _key_part(value):
    if isinstance(value, Model):
        return (value._meta.label, value.pk)
    if hasattr(value, "as_dict"):  # proposals.stats.Scope
        return value.as_dict()
    if isinstance(value, (list, tuple, set, frozenset)):
        return (
            tuple(sorted(map(repr, value)))
            if isinstance(value, (set, frozenset))
            else tuple(map(_key_part, value))
        )
    return value


def remembered_figures(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn`, remembered by its arguments (model instances by their pk) under the same database state."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = (tuple(map(_key_part, args)), tuple(sorted((k, _key_part(v)) for k, v in kwargs.items())))
        return remembered(name, key, compute=lambda: fn(*args, **kwargs))

    wrapper.computed = fn  # the same figures, never remembered
    return wrapper


def remembered_rows(sql: str, params, using: str = "default") -> list[tuple]:
    """The rows of a read-only SQL statement, remembered by its text and parameters."""

    def fetch():
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return remembered("sql", sql, tuple(params), compute=fetch, using=using)


def remembered_read(qs, what: str, read: Callable):
    """read(qs) (a count, a list), remembered by the query's SQL and parameters."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # nothing to ask the database
        return read(qs)
    return remembered(what, sql, repr(params), compute=lambda: read(qs), using=qs.db)


def remembered_list(qs) -> list:
    """list(qs), remembered (a list's page of ids, a reader's co-signed proposals)."""
    return remembered_read(qs, "list", list)
