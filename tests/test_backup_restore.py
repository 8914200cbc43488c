"""`manage.py backup DIR` → a fresh PostgreSQL database and an empty MEDIA_ROOT → `manage.py restore DIR`:
the same API answers and every attachment downloads with the same bytes. Restore refuses a non-empty
target without --force and a backup whose files do not match their checksums.

The commands run as subprocesses (as an operator runs them) with their own DATABASE_URL and
DJANGO_MEDIA_ROOT, so the restored database is a second, real PostgreSQL database."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from proposals import services
from proposals.models import Assignment, ProposalCategory

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def database_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run(args: list[str], *, db: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengxie.settings_test",
        "DATABASE_URL": database_url(db),
        "DJANGO_MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def manage(*args: str, db: str, media: Path) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], db=db, media=media)


def probe(spec: dict, *, db: str, media: Path) -> dict:
    result = run(["-m", "tests.backup_probe", json.dumps(spec)], db=db, media=media)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def restore_db():
    """A second, empty PostgreSQL database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"]
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def token(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def handled(settings, tmp_path, member, staff_user, plenary, department, department_user):
    """A replied proposal with an attachment and a reply letter, in a MEDIA_ROOT of its own."""
    settings.MEDIA_ROOT = tmp_path / "media-source"
    member_client = APIClient()
    member_client.force_authenticate(member.user)
    proposal = services.proposal_create(
        actor=member.user,
        title="关于建设社区养老服务中心的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="经济"),
        during_plenary=True,
        plenary=plenary,
    )
    uploaded = member_client.post(
        f"/api/v1/proposals/{proposal.pk}/attachments/",
        {"file": SimpleUploadedFile("调研报告.pdf", PDF + b"attachment")},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    services.proposal_submit(actor=member.user, proposal=proposal)
    services.proposal_register(actor=staff_user, proposal=proposal)
    services.proposal_assign(
        actor=staff_user, proposal=proposal, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get(proposal=proposal)
    department_client = APIClient()
    department_client.force_authenticate(department_user)
    assert department_client.post(f"/api/v1/assignments/{task.pk}/accept/").status_code == 200
    contact = department_client.post(
        f"/api/v1/assignments/{task.pk}/contacts/",
        {"date": str(timezone.localdate()), "way": "phone", "summary": "电话沟通办理思路"},
        format="json",
    )
    assert contact.status_code == 200, contact.content
    replied = department_client.post(
        f"/api/v1/assignments/{task.pk}/reply/",
        {
            "result": "A",
            "content": "已经解决",
            "signer": "王局长",
            "letter": SimpleUploadedFile("答复函.pdf", PDF),
        },
        format="multipart",
    )
    assert replied.status_code == 200, replied.content
    proposal.refresh_from_db()
    attachment = proposal.attachments.get()
    reply = task.replies.get()
    assert Path(attachment.file.path).is_file() and Path(reply.letter.path).is_file()
    tokens = {u.username: token(u.username) for u in (member.user, staff_user, department_user)}
    m, s, d = tokens[member.user.username], tokens[staff_user.username], tokens[department_user.username]
    spec = {
        "api": [
            [m, f"/api/v1/proposals/{proposal.pk}/"],
            [m, "/api/v1/proposals/"],
            [m, f"/api/v1/proposals/{proposal.pk}/history/"],
            [s, "/api/v1/assignments/"],
            [s, "/api/v1/stats/proposals/"],
            [d, f"/api/v1/assignments/{task.pk}/"],
        ],
        "files": [
            [member.user.username, f"/proposals/{proposal.pk}/attachments/{attachment.pk}/"],
            [department_user.username, f"/portal/assignments/{task.pk}/attachments/{attachment.pk}/"],
            [department_user.username, f"/portal/assignments/{task.pk}/replies/{reply.pk}/letter/"],
        ],
    }
    return {"spec": spec, "media": Path(settings.MEDIA_ROOT), "source_db": connection.settings_dict["NAME"]}


def test_backup_then_restore_into_a_fresh_database_answers_the_same(handled, restore_db, tmp_path):
    backup_dir = tmp_path / "backup"
    made = manage("backup", str(backup_dir), db=handled["source_db"], media=handled["media"])
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["method"] == "pg_dump" and (backup_dir / "database.dump").is_file()
    assert len(manifest["media"]) == 2 and all(len(f["sha256"]) == 64 for f in manifest["media"])
    assert "proposals" in manifest["migrations"]

    before = probe(handled["spec"], db=handled["source_db"], media=handled["media"])
    assert all(status == 200 for status, _ in before["api"].values()), before["api"]
    assert all(status == 200 for status, _ in before["files"].values()), before["files"]

    # Onto a new machine: an empty database and an empty media directory.
    fresh_media = tmp_path / "media-restored"
    restored = manage("restore", str(backup_dir), db=restore_db, media=fresh_media)
    assert restored.returncode == 0, restored.stderr
    assert "恢复完成" in restored.stdout and "migrate" not in restored.stdout
    after = probe(handled["spec"], db=restore_db, media=fresh_media)
    assert after == before

    # Restoring again onto what is now a non-empty database is refused, and changes nothing.
    refused = manage("restore", str(backup_dir), db=restore_db, media=fresh_media)
    assert refused.returncode != 0
    assert "不是空的" in refused.stderr and "--force" in refused.stderr and "not empty" in refused.stderr
    assert probe(handled["spec"], db=restore_db, media=fresh_media) == before

    # --force replaces it (a stray file in the media directory goes, the database is the backup's again).
    (fresh_media / "stray.txt").write_text("x")
    forced = manage("restore", str(backup_dir), "--force", db=restore_db, media=fresh_media)
    assert forced.returncode == 0, forced.stderr
    assert not (fresh_media / "stray.txt").exists()
    assert probe(handled["spec"], db=restore_db, media=fresh_media) == before


def test_restore_refuses_a_backup_whose_files_do_not_match(handled, restore_db, tmp_path):
    backup_dir = tmp_path / "backup"
    assert manage("backup", str(backup_dir), db=handled["source_db"], media=handled["media"]).returncode == 0
    assert manage("backup", str(backup_dir), db=handled["source_db"], media=handled["media"]).returncode != 0
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    victim = backup_dir / "media" / manifest["media"][0]["path"]
    victim.write_bytes(victim.read_bytes() + b"tampered")
    fresh_media = tmp_path / "media-restored"
    refused = manage("restore", str(backup_dir), db=restore_db, media=fresh_media)
    assert refused.returncode != 0 and "校验和不符" in refused.stderr
    assert not fresh_media.exists() or not any(fresh_media.rglob("*"))
    # Nothing was loaded into the target database.
    check = run(
        [
            "-c",
            "import django; django.setup(); from zhengxie.backup import database_tables; print(len(database_tables()))",
        ],
        db=restore_db,
        media=fresh_media,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip().splitlines()[-1] == "0"


def test_restore_refuses_a_backup_from_newer_code_before_touching_anything(tmp_path, settings):
    from zhengxie.backup import FORMAT, BackupError, database_tables, restore, sha256

    settings.MEDIA_ROOT = tmp_path / "media"
    backup_dir = tmp_path / "backup"
    (backup_dir / "media").mkdir(parents=True)
    (backup_dir / "database.json").write_text("[]")
    manifest = {
        "format": FORMAT,
        "database": {"engine": "postgresql", "method": "json", "file": "database.json"},
        "media": [],
        "migrations": {"proposals": ["0001_initial", "9999_from_the_future"]},
    }
    manifest["database"]["sha256"] = sha256(backup_dir / "database.json")
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    tables = database_tables()
    with pytest.raises(BackupError, match="更新版本.*proposals.9999_from_the_future"):
        restore(backup_dir, force=True, log=lambda _: None)
    assert database_tables() == tables
