"""The Celery app `zhengxie`: `celery -A zhengxie worker` and `celery -A zhengxie beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")


class ZhengxieCelery(Celery):
    def on_configure(self):
        """The worker and beat send links and codes signed with the key: the same rule as the web
        (a signal receiver's error would only be logged, so the check sits in the app itself)."""
        from zhengxie.startup import require_secret_key

        require_secret_key()


app = ZhengxieCelery("zhengxie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
