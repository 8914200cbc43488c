"""A Celery worker killed (`kill -9`) in the middle of sending e-mail/SMS copies: after a second run every
message has been sent exactly once, except at most the one that was in flight when the worker died."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from conftest import make_user
from zhengxie.accounts.models import Role
from zhengxie.celery import app
from zhengxie.notifications.models import ChannelDelivery, Notification
from zhengxie.notifications.services import channel_deliveries_send

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent
MESSAGES = 60


class FileRecordingSmsBackend:
    """Appends one line per SMS to $SMS_RECORD_FILE (flushed at once) and then takes $SMS_RECORD_DELAY
    seconds, like a slow gateway: the line is written when the message has left."""

    def send(self, *, phone: str, text: str) -> None:
        with open(os.environ["SMS_RECORD_FILE"], "a", encoding="utf-8") as f:
            f.write(f"{phone}\n")
            f.flush()
            os.fsync(f.fileno())
        time.sleep(float(os.environ.get("SMS_RECORD_DELAY", "0")))


def _sent(path: Path) -> Counter:
    if not path.exists():
        return Counter()
    return Counter(line for line in path.read_text(encoding="utf-8").splitlines() if line)


def _wait_for(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_worker_killed_mid_batch_resends_at_most_the_message_in_flight(tmp_path, monkeypatch, settings):
    user = make_user("crash1", Role.STAFF, name="发送测试")
    notices = Notification.objects.bulk_create(
        Notification(recipient=user, title=f"通知{i}", body="内容") for i in range(MESSAGES)
    )
    phones = [f"1380000{i:04d}" for i in range(MESSAGES)]
    ChannelDelivery.objects.bulk_create(
        ChannelDelivery(notification=n, channel=ChannelDelivery.Channel.SMS, address=phone)
        for n, phone in zip(notices, phones, strict=True)
    )
    record = tmp_path / "sms.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhengxie.settings_test",
        "DATABASE_URL": "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SMS_BACKEND": f"{__name__}.FileRecordingSmsBackend",
        "SMS_RECORD_FILE": str(record),
        "SMS_RECORD_DELAY": "0.2",  # 60 messages take 12 s: ample time to kill it mid-batch
    }
    app.control.purge()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "zhengxie",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        app.send_task("zhengxie.notifications.send_channel_deliveries")
        # The only wait: until the worker is part-way through the batch.
        assert _wait_for(lambda: sum(_sent(record).values()) >= MESSAGES // 4), "the worker never started"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        app.control.purge()
    before_restart = _sent(record)
    assert 0 < sum(before_restart.values()) < MESSAGES

    # The next run (the periodic task) finishes the job; the in-flight one is treated as interrupted.
    settings.SMS_BACKEND = f"{__name__}.FileRecordingSmsBackend"
    settings.CHANNEL_SENDING_TIMEOUT = 0
    monkeypatch.setenv("SMS_RECORD_FILE", str(record))
    monkeypatch.setenv("SMS_RECORD_DELAY", "0")
    channel_deliveries_send()

    sent = _sent(record)
    assert set(sent) == set(phones), "every message went out"
    duplicates = {phone: count for phone, count in sent.items() if count > 1}
    assert len(duplicates) <= 1 and all(count == 2 for count in duplicates.values()), duplicates
    assert set(ChannelDelivery.objects.values_list("state", flat=True)) == {"sent"}
