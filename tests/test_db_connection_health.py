"""A persistent database connection dropped by the server (restart, failover, idle timeout) between two
requests: the next request checks the connection first and reconnects instead of answering 500."""

import io
import json
from wsgiref.util import setup_testing_defaults

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _wsgi_post(handler, path: str, payload: dict) -> int:
    """One request through the WSGI handler as a server makes it (request_started/finished signals and
    their connection housekeeping included, unlike the test client)."""
    body = json.dumps(payload).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": "testserver",
        "HTTP_HOST": "testserver",
    }
    setup_testing_defaults(environ)
    status = []
    response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
    b"".join(response)
    response.close()  # fires request_finished, as a WSGI server does
    return int(status[0].split()[0])


def test_production_settings_check_connections_and_keep_them():
    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"] is True
    assert "CONN_MAX_AGE" in db


def test_request_after_the_server_dropped_the_connection_is_not_a_500(member_user):
    handler = WSGIHandler()
    old_max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60  # persistent, as in production
    try:
        payload = {"username": member_user.username, "password": "wrong-password"}
        assert _wsgi_post(handler, "/api/v1/auth/token/", payload) == 400
        assert connection.connection is not None, "the connection is kept between requests"
        pid = connection.connection.get_backend_pid()

        params = connection.get_connection_params()
        with psycopg2.connect(**params) as other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
        other.close()

        assert _wsgi_post(handler, "/api/v1/auth/token/", payload) == 400
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = old_max_age
