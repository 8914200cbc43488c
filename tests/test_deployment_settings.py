"""Deployment settings read from the environment as README documents them: the trusted reverse proxy and
running on an intranet over plain HTTP."""

import json
import subprocess
import sys

from tests.test_settings_and_setup import ROOT, _production_env

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ("
    "'TRUSTED_PROXIES', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'CACHES')}))"
)


def _settings(**env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=_production_env(**env), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_are_https_only_and_trust_no_proxy():
    s = _settings()
    assert s["TRUSTED_PROXIES"] == []
    assert s["SECURE_SSL_REDIRECT"] is s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] > 0


def test_intranet_over_plain_http():
    s = _settings(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0")
    assert s["SECURE_SSL_REDIRECT"] is s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is False


def test_trusted_proxies_from_the_environment_pass_the_deploy_check():
    env = _production_env(DJANGO_TRUSTED_PROXIES="127.0.0.1, 10.1.0.0/24")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _settings(DJANGO_TRUSTED_PROXIES="127.0.0.1, 10.1.0.0/24")["TRUSTED_PROXIES"] == [
        "127.0.0.1",
        "10.1.0.0/24",
    ]


def test_a_bad_trusted_proxy_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=_production_env(DJANGO_TRUSTED_PROXIES="nginx.local"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


def test_the_shared_figures_cache_is_redis_with_one_client_per_pool():
    assert _settings()["CACHES"]["figures"]["BACKEND"].endswith("LocMemCache")  # each process's own
    shared = _settings(FIGURES_CACHE_URL="redis://127.0.0.1:6379/6")["CACHES"]["figures"]
    assert shared["BACKEND"] == "zhengxie.redis_cache.RedisCache"  # tests/test_figures_cache.py: its client
    assert shared["LOCATION"] == "redis://127.0.0.1:6379/6"
