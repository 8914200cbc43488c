"""Uploaded rosters wait for "confirm" in a private folder and are cleaned up if never confirmed."""

import os
import stat
import time

import pytest

from tests.fixtures.rosters import MEMBER_PASSWORD, csv_bytes, member_row
from tests.test_admin import CSV, MEMBER_IMPORT, confirm, run_job, upload
from zhengxie.accounts.import_storage import import_tmp_cleanup, import_tmp_dir

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_dir(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "import-tmp"
    return settings.IMPORT_TMP_DIR


def test_preview_keeps_the_file_privately_and_confirm_removes_it(client, staff_user, private_dir):
    client.force_login(staff_user)
    preview = upload(
        client, MEMBER_IMPORT, csv_bytes([member_row(1, 初始密码=MEMBER_PASSWORD)]), "r.csv", CSV
    )
    waiting = list(private_dir.glob("import-*"))
    assert len(waiting) == 1
    assert stat.S_IMODE(os.stat(private_dir).st_mode) == 0o700
    preview = run_job(preview)  # the preview job reads it and leaves it for the confirm
    assert len(list(private_dir.glob("import-*"))) == 1
    run_job(confirm(client, preview))
    assert not list(private_dir.glob("import-*"))


def test_a_forged_file_name_cannot_leave_the_folder(private_dir):
    from zhengxie.accounts.import_storage import PrivateTempStorage

    storage = PrivateTempStorage(name="../../etc/passwd")
    assert storage.get_full_path() == str(import_tmp_dir() / "passwd")


def test_cleanup_removes_only_stale_uploads(private_dir):
    folder = import_tmp_dir()
    old, fresh = folder / "import-old", folder / "import-new"
    old.write_text("x")
    fresh.write_text("y")
    past = time.time() - 3 * 3600
    os.utime(old, (past, past))
    assert import_tmp_cleanup() == 1
    assert not old.exists() and fresh.exists()
