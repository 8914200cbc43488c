from celery import shared_task

from .import_storage import import_tmp_cleanup


@shared_task(name="zhengxie.accounts.cleanup_import_uploads")
def cleanup_import_uploads() -> int:
    return import_tmp_cleanup()
