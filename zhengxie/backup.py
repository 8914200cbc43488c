"""`manage.py backup DIR` / `manage.py restore DIR`: the database and every uploaded file, restorable on a
new machine.

A backup directory holds
- `database.dump` (PostgreSQL, `pg_dump --format=custom`), `database.sqlite3` (SQLite, the online backup
  API) or `database.json` (`dumpdata`, the portable fallback when the PostgreSQL client tools are missing);
- `media/`, a copy of MEDIA_ROOT;
- `manifest.json`: format, time, database engine and method, every file with its size and SHA-256 (the
  dump included) and the migrations applied when the backup was taken.

Restore checks every checksum before it touches anything, refuses a database that already holds tables
(or a MEDIA_ROOT that already holds files) unless `force`, loads the database, copies the files and
verifies their checksums again where they landed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
JSON_FILE = "database.json"
# Rows the database makes for itself: content types and permissions come from migrate, and the
# statistics rollups are kept by PostgreSQL triggers (proposals/0007_stats_rollup) as rows are loaded.
JSON_EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "proposals.ProposalStatCount",
    "proposals.AssignmentStatCount",
]


class BackupError(Exception):
    """A refusal or failure, with a message for the operator (Chinese, then English)."""


@dataclass
class RestoreReport:
    method: str
    files: int
    unapplied: list[str]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(alias: str = "default") -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    return engine.rsplit(".", 1)[-1]


def _pg_env(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore from DATABASES (the password goes in the
    environment, never on the command line)."""
    db = connections[alias].settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args + ["--dbname", str(db["NAME"])], env


def _pg_tools() -> bool:
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations):
        applied.setdefault(app, []).append(name)
    return applied


def code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup(
    directory: Path, *, method: str = "auto", alias: str = "default", log: Callable[[str], None] = print
):
    """Write a backup of the database and MEDIA_ROOT into `directory` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(
            f"备份目录不是空的：{directory}。请指定一个新目录。 / Backup directory is not empty."
        )
    directory.mkdir(parents=True, exist_ok=True)
    engine = _engine(alias)
    if method == "auto":
        method = {"postgresql": "pg_dump" if _pg_tools() else "json", "sqlite": "sqlite"}.get(engine, "json")

    db = connections[alias].settings_dict
    if method == "pg_dump":
        if engine != "postgresql" or not _pg_tools():
            raise BackupError(
                "pg_dump 只能用于 PostgreSQL，且需要安装 PostgreSQL 客户端。 / pg_dump needs PostgreSQL."
            )
        database_file = PG_DUMP_FILE
        args, env = _pg_env(alias)
        result = subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(directory / database_file),
            ]
            + args,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump 失败 / pg_dump failed：{result.stderr.strip()}")
    elif method == "sqlite":
        if engine != "sqlite":
            raise BackupError("sqlite 方式只能用于 SQLite 数据库。 / The sqlite method needs SQLite.")
        database_file = SQLITE_FILE
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(directory / database_file))
        with target:
            source.backup(target)  # consistent even while the site is running
        source.close()
        target.close()
    elif method == "json":
        database_file = JSON_FILE
        call_command(
            "dumpdata",
            database=alias,
            natural_foreign=True,
            exclude=JSON_EXCLUDE,
            output=str(directory / database_file),
            verbosity=0,
        )
    else:
        raise BackupError(f"未知的备份方式：{method} / Unknown method.")
    log(f"数据库已备份（{method}）：{database_file}")

    media_root = Path(settings.MEDIA_ROOT)
    files = []
    for path in _media_files(media_root):
        relative = path.relative_to(media_root).as_posix()
        target = directory / MEDIA_DIR / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        files.append({"path": relative, "size": target.stat().st_size, "sha256": sha256(target)})
    (directory / MEDIA_DIR).mkdir(exist_ok=True)
    log(f"上传文件已备份：{len(files)} 个")

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {
            "engine": engine,
            "method": method,
            "file": database_file,
            "sha256": sha256(directory / database_file),
        },
        "media": files,
        "migrations": applied_migrations(alias),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"找不到备份清单 {path}，这不是一个备份目录。 / No manifest.json: not a backup.")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')} / Unknown backup format.")
    return manifest


def verify_backup(directory: Path, manifest: dict) -> None:
    """Every file the manifest names is there with its checksum (before anything is changed)."""
    directory = Path(directory)
    bad = []
    database = directory / manifest["database"]["file"]
    if not database.is_file() or sha256(database) != manifest["database"]["sha256"]:
        bad.append(manifest["database"]["file"])
    for entry in manifest["media"]:
        path = directory / MEDIA_DIR / entry["path"]
        if not path.is_file() or sha256(path) != entry["sha256"]:
            bad.append(f"{MEDIA_DIR}/{entry['path']}")
    if bad:
        raise BackupError("备份文件缺失或校验和不符 / Missing or corrupt files：" + "、".join(bad[:20]))


def database_tables(alias: str = "default") -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _clear_database(alias: str) -> None:
    """Drop everything in the database (restore --force); PostgreSQL: the public schema and all in it."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if _engine(alias) == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")


def restore(
    directory: Path,
    *,
    force: bool = False,
    alias: str = "default",
    log: Callable[[str], None] = print,
) -> RestoreReport:
    directory = Path(directory)
    manifest = read_manifest(directory)
    verify_backup(directory, manifest)
    engine = _engine(alias)
    method = manifest["database"]["method"]
    if method == "pg_dump" and (engine != "postgresql" or not _pg_tools()):
        raise BackupError(
            "这是 PostgreSQL 备份，需要 PostgreSQL 数据库和 pg_restore。 / Needs PostgreSQL and pg_restore."
        )
    if method == "sqlite" and engine != "sqlite":
        raise BackupError("这是 SQLite 备份，只能恢复到 SQLite。 / A SQLite backup restores to SQLite only.")

    known = code_migrations()
    newer = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if newer:
        raise BackupError(
            "备份来自更新版本的程序（本程序没有这些迁移："
            + "、".join(newer[:10])
            + "），请先升级程序再恢复。 / The backup is from a newer version of the code."
        )

    tables = database_tables(alias)
    media_root = Path(settings.MEDIA_ROOT)
    existing_files = _media_files(media_root)
    if (tables or existing_files) and not force:
        parts = []
        if tables:
            parts.append(f"数据库已有 {len(tables)} 张表")
        if existing_files:
            parts.append(f"上传文件目录 {media_root} 已有 {len(existing_files)} 个文件")
        raise BackupError(
            "目标不是空的（" + "，".join(parts) + "）。恢复会覆盖现有数据；确认要覆盖请加 --force。"
            " / The target database or media directory is not empty; add --force to overwrite it."
        )

    if tables and method != "sqlite":  # the SQLite backup API replaces the whole file anyway
        log(f"--force：清空数据库中的 {len(tables)} 张表")
        _clear_database(alias)
    database = directory / manifest["database"]["file"]
    if method == "pg_dump":
        connections[alias].close()
        args, env = _pg_env(alias)
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
            + args
            + [str(database)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore 失败 / pg_restore failed：{result.stderr.strip()}")
    elif method == "sqlite":
        connections[alias].close()
        source = sqlite3.connect(str(database))
        target = sqlite3.connect(str(connections[alias].settings_dict["NAME"]))
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        # The fallback: build the schema up to the backup's migrations, then load the rows.
        call_command("migrate", database=alias, interactive=False, verbosity=0)
        call_command("loaddata", str(database), database=alias, verbosity=0)
    log(f"数据库已恢复（{method}）")

    if existing_files:
        log(f"--force：替换上传文件目录 {media_root} 中的 {len(existing_files)} 个文件")
        for path in existing_files:
            path.unlink()
    for entry in manifest["media"]:
        target = media_root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(directory / MEDIA_DIR / entry["path"], target)
    mismatched = [e["path"] for e in manifest["media"] if sha256(media_root / e["path"]) != e["sha256"]]
    if mismatched:
        raise BackupError(
            "恢复后的文件校验和不符 / Restored files do not match：" + "、".join(mismatched[:20])
        )
    log(f"上传文件已恢复并校验：{len(manifest['media'])} 个")

    connections[alias].close()
    applied = {(app, name) for app, names in applied_migrations(alias).items() for name in names}
    unapplied = sorted(f"{app}.{name}" for app, name in known - applied)
    return RestoreReport(method=method, files=len(manifest["media"]), unapplied=unapplied)
