"""Shared by the province benchmarks: database names, the bulk COPY writer and the Chinese text bank."""

import io
import json
import os
import re
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_URL_DEFAULT = "postgres://postgres@127.0.0.1:5432"
# The known accounts pages.py signs in with (one per role); every generated account has this password.
PASSWORD = "Bench@2026zx"
KNOWN_USERS = {
    "staff": "bench_staff",
    "leader": "bench_leader",
    "member": "bench_member",
    "department": "bench_dept",
}


def scale_tag(scale: float) -> str:
    """0.25 → s025, 0.1 → s01, 1 → s1, 0.0002 → s00002."""
    return "s" + f"{scale:g}".replace(".", "").replace("-", "")


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL (without its database name), or the local default."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0]
    return SERVER_URL_DEFAULT


def province_db_name(scale: float) -> str:
    return f"zhengxie_province_{scale_tag(scale)}"


def province_db_url(scale: float, name: str | None = None) -> str:
    return f"{server_url()}/{name or province_db_name(scale)}"


SAFE_NAME = re.compile(r"^[a-z0-9_]+(_province_s[0-9]+|_bench)$")


def check_droppable(name: str) -> None:
    if not SAFE_NAME.match(name):
        raise SystemExit(
            f"refusing to drop database {name!r}: its name must end in _province_s<scale> or _bench"
        )


# --- COPY ---------------------------------------------------------------------------------------------


def enc(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\n" in value or "\t" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, (dict, list)):
        return enc(json.dumps(value, ensure_ascii=False))
    return str(value)


class Writer:
    """One background thread runs the COPYs in the order they were queued, so Python builds the next
    chunk while PostgreSQL loads the last one (two cores); drain() before using the connection."""

    def __init__(self, raw_conn):
        import queue
        import threading

        self.conn = raw_conn
        self.queue = queue.Queue(maxsize=4)
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            item = self.queue.get()
            try:
                if item is not None and self.error is None:
                    sql, buf = item
                    with self.conn.cursor() as cur:
                        cur.copy_expert(sql, buf)
            except Exception as exc:  # re-raised in the producer
                self.error = exc
            finally:
                self.queue.task_done()
            if item is None:
                return

    def put(self, sql, buf):
        if self.error:
            raise self.error
        self.queue.put((sql, buf))

    def drain(self):
        self.queue.join()
        if self.error:
            raise self.error

    def close(self):
        self.drain()
        self.queue.put(None)
        self.thread.join()


class Table:
    """Bulk rows for one model's table through COPY, in chunks.

    `fields` are the attnames (or columns) the caller gives in each row, in order; every other column of
    the table as it exists in the database gets its model field's default (auto_now fields: `now`,
    nullable ones NULL, blank text ''), so a field added later by a migration with a default needs no
    change here. Generated columns (the proposals' tsvector) are left to PostgreSQL."""

    CHUNK = 8 * 1024 * 1024

    def __init__(self, raw_conn, model, fields, *, now, writer=None, parents=()):
        self.conn = raw_conn
        self.writer = writer
        self.parents = parents
        self.model = model
        self.table = model._meta.db_table
        with raw_conn.cursor() as cur:
            cur.execute(
                "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = %s "
                "AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position",
                [self.table],
            )
            db_columns = cur.fetchall()
        by_column = {f.column: f for f in model._meta.concrete_fields}
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        given = []
        for name in fields:
            field = by_attname.get(name) or by_column.get(name)
            given.append(field.column if field else name)
        missing = [c for c in given if c not in {d[0] for d in db_columns}]
        if missing:
            raise ValueError(f"{self.table}: no such columns {missing}")
        rest = []
        for column, nullable in db_columns:
            if column in given:
                continue
            field = by_column.get(column)
            if field is None:
                if nullable == "YES":
                    rest.append((column, "\\N"))
                    continue
                raise ValueError(f"{self.table}.{column}: NOT NULL column the models do not know")
            if field.primary_key:
                continue  # the identity column numbers the rows
            rest.append((column, enc(self._default(field, now, nullable == "YES"))))
        self.columns = given + [c for c, _ in rest]
        self.suffix = "".join("\t" + v for _, v in rest) + "\n"
        self.buf = io.StringIO()
        self.count = 0

    def _default(self, field, now, nullable):
        from django.db import models

        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        if field.has_default():
            value = field.get_default()
            if isinstance(field, models.JSONField):
                return value
            if isinstance(value, (str, bool, int, float, date, datetime)) or value is None:
                return value
            return str(value)
        if nullable:
            return None
        if isinstance(field, (models.CharField, models.TextField)) or isinstance(field, models.FileField):
            return ""
        raise ValueError(f"{self.table}.{field.column}: give it (NOT NULL without a default)")

    def add(self, *values):
        self.buf.write("\t".join([enc(v) for v in values]) + self.suffix)
        self.count += 1
        if self.buf.tell() > self.CHUNK:
            self.flush()

    def flush(self):
        if not self.buf.tell():
            return
        for parent in self.parents:  # rows referenced by this chunk go first
            parent.flush()
        self.buf.seek(0)
        cols = ", ".join(f'"{c}"' for c in self.columns)
        sql = f'COPY "{self.table}" ({cols}) FROM STDIN'
        if self.writer:
            self.writer.put(sql, self.buf)
        else:
            with self.conn.cursor() as cur:
                cur.copy_expert(sql, self.buf)
        self.buf = io.StringIO()

    def close(self):
        self.flush()
        if self.writer:
            self.writer.drain()
        return self.count


def reset_sequence(raw_conn, model):
    table = model._meta.db_table
    pk = model._meta.pk.column
    with raw_conn.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
            f'coalesce((SELECT max("{pk}") FROM "{table}"), 0) + 1, false)'
        )
