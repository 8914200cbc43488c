"""Production settings pass Django's deployment checks; demo data is idempotent."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import Member, Plenary, Term
from zhengxie.accounts.models import Department, Role, User

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "zhengxie.settings",
        "DJANGO_DOTENV": "",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-from-the-environment-0123456789",
        "DJANGO_ALLOWED_HOSTS": "zx.example.gov.cn",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/zhengxie",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    env.update(extra)
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "code",
    [
        "import zhengxie.wsgi",
        "import zhengxie.asgi",
        "from zhengxie.celery import app; app.conf.timezone",  # worker and beat configure the app first
    ],
)
def test_production_refuses_to_serve_without_a_secret_key(code):
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("module", ["zhengxie.wsgi", "zhengxie.asgi"])
def test_a_serving_process_loads_the_segmenter_before_its_first_request(module):
    """The first search of a web worker does not wait ~1 s for jieba's dictionaries: the server's entry
    point loads them, then freezes what it loaded out of the garbage collector's full collections."""
    code = (
        f"import {module}; from zhengxie import textsearch; "
        "print(textsearch._tokenizer.cache_info().currsize, textsearch._idf_table.cache_info().currsize, "
        "textsearch._tokenizer().initialized, __import__('gc').get_freeze_count() > 10000)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1", "True", "True"]  # …and set aside from the collector


def test_checks_and_migrations_check_run_without_a_secret_key():
    """Tooling that signs nothing runs in a bare environment (a build machine, a CI lint step)."""
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    for command in (["check"], ["makemigrations", "--check", "--dry-run"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_every_role(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (
        User.objects.count(),
        Member.objects.count(),
        Department.objects.count(),
        Plenary.objects.count(),
    )
    call_command("seed_demo")
    capsys.readouterr()
    assert counts == (
        User.objects.count(),
        Member.objects.count(),
        Department.objects.count(),
        Plenary.objects.count(),
    )
    # README promises member1 … member10 and every department account.
    for username in (
        "staff",
        "leader",
        *(f"member{i}" for i in range(1, 11)),
        "dept_fgw",
        "dept_jyj",
        "dept_scj",
    ):
        assert re.search(rf"\b{username}\b", first), username
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert Term.objects.get(is_current=True).name == "第十五届"
    assert all(m.user.role == Role.MEMBER for m in Member.objects.select_related("user"))
    from proposals.models import Proposal
    from zhengxie.workflow.models import WorkCalendarDay

    states = set(Proposal.objects.values_list("state", flat=True))
    assert Proposal.objects.count() == 8
    assert {
        "draft",
        "awaiting_cosigners",
        "submitted",
        "registered",
        "in_progress",
        "replied",
        "closed",
    } <= states
    assert WorkCalendarDay.objects.filter(date__year=timezone.localdate().year).exists()


@pytest.mark.django_db
def test_each_connection_runs_without_jit_or_parallel_workers():
    """A page's queries are short: JIT compiling and parallel workers (each rebuilding a search's hashed
    subqueries) made them slower, so each connection turns both off (DJANGO_PG_OPTIONS)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
    assert (jit, workers) == ("off", "0")
