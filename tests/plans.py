"""The plan PostgreSQL chooses for a queryset when an index can answer it at all (no sequential or bitmap
scans): tests that a list's query reads the index made for it."""

from django.db import connection, transaction


def index_plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
