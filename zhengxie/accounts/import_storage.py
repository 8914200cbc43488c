"""Where django-import-export keeps an uploaded roster between "preview" and "confirm".

Roster files can carry 初始密码, so they go to a private folder (mode 0700) instead of the shared system
temp folder, under a random name the browser cannot steer elsewhere, and a periodic task removes any file
left behind by a preview that was never confirmed.
"""

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from import_export.tmp_storages import TempFolderStorage


def import_tmp_dir() -> Path:
    folder = Path(settings.IMPORT_TMP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


class PrivateTempStorage(TempFolderStorage):
    def get_full_path(self):
        # Only a bare file name inside our folder: the name comes back from the confirm form.
        return str(import_tmp_dir() / os.path.basename(self.name))

    def _open(self, mode="r"):
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)  # noqa: SIM115 - caller closes
        tmp_file = tempfile.NamedTemporaryFile(dir=import_tmp_dir(), prefix="import-", delete=False)  # noqa: SIM115
        self.name = os.path.basename(tmp_file.name)
        return tmp_file


def import_tmp_cleanup(*, max_age_seconds: int | None = None) -> int:
    """Remove uploads older than IMPORT_TMP_MAX_AGE (default two hours); returns how many."""
    max_age = settings.IMPORT_TMP_MAX_AGE if max_age_seconds is None else max_age_seconds
    cutoff = time.time() - max_age
    removed = 0
    for path in import_tmp_dir().glob("import-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # confirmed and removed by the import meanwhile
    return removed
