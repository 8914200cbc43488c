"""The Celery app `zhengxie`: `celery -A zhengxie worker` and `celery -A zhengxie beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")

app = Celery("zhengxie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
