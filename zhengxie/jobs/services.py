"""Writes of the background jobs: start one (enqueued once the transaction commits), run it on the worker,
and remove old ones with their files."""

import logging
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from zhengxie.workflow.errors import DomainError

from .kinds import RUNNERS, runner
from .models import Job

log = logging.getLogger(__name__)

FAILED_MESSAGE = "任务执行出错，请稍后重试；仍不成功请联系系统管理员。"
# How often at most a running job writes its progress (seconds).
PROGRESS_EVERY = 1.0


def job_start(*, actor, kind: str, title: str, params: dict | None = None) -> Job:
    """Record a job for `actor` and hand it to the worker when the caller's transaction commits; the same
    job of the same user still waiting or running is returned instead of a second one."""
    if kind not in RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    params = params or {}
    # A second click on the same export while the first is still waiting or running: that same job.
    running = (
        Job.objects.filter(
            owner=actor,
            kind=kind,
            params=params,
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
            created_at__gte=timezone.now() - timedelta(hours=settings.JOB_STALE_HOURS),
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running
    job = Job.objects.create(owner=actor, kind=kind, title=title[:200], params=params)
    from .tasks import run_job

    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


class _Progress:
    """`progress(done, total)` for a runner: written at most once a second (and never backwards)."""

    def __init__(self, job: Job):
        self.job, self.last, self.percent = job, 0.0, 0

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, int(done * 100 / total)) if total else 0
        now = time.monotonic()
        if percent <= self.percent or now - self.last < PROGRESS_EVERY:
            return
        self.last, self.percent = now, percent
        Job.objects.filter(pk=self.job.pk).update(progress=percent, total=total)


def job_run(*, job_id: int) -> Job | None:
    """Run a queued job (the worker's task). A job that is not queued any more (delivered twice) is left."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = Job.objects.select_related("owner").get(pk=job_id)
    try:
        with tempfile.TemporaryFile() as out:
            result = runner(job.kind)(job, out, _Progress(job))
            if result.name:
                out.seek(0)
                job.result.save(result.name, File(out, name=result.name), save=False)
    except (DomainError, PermissionDenied) as exc:
        return _finish(job, Job.State.FAILED, getattr(exc, "message", "") or str(exc) or "无权执行此任务。")
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, Job.State.FAILED, FAILED_MESSAGE)
    job.result_name, job.result_type = result.name, result.content_type
    job.params = {**job.params, "once": result.once}
    if result.action_url:
        job.params["action"] = {"url": result.action_url, "label": result.action_label}
    return _finish(job, Job.State.DONE, result.message)


def _finish(job: Job, state: str, message: str) -> Job:
    job.state, job.message, job.finished_at = state, message, timezone.now()
    if state == Job.State.DONE:
        job.progress = 100
    job.save(
        update_fields=[
            "state",
            "message",
            "finished_at",
            "progress",
            "result",
            "result_name",
            "result_type",
            "params",
        ]
    )
    return job


def job_downloaded(*, job: Job) -> None:
    """After a download: a file meant to be fetched once (activation links) is removed."""
    if job.params.get("once") and job.result:
        job.result.delete(save=False)
        job.message = (job.message + "\n" if job.message else "") + "文件已下载并从服务器删除。"
        job.save(update_fields=["result", "message"])


def jobs_cleanup(*, now=None) -> int:
    """Remove jobs (and their files) older than JOB_KEEP_HOURS; a job still marked running after
    JOB_STALE_HOURS (its worker died) is marked failed. Returns how many jobs were removed."""
    now = now or timezone.now()
    stale = now - timedelta(hours=settings.JOB_STALE_HOURS)
    Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING], created_at__lt=stale).update(
        state=Job.State.FAILED, message=FAILED_MESSAGE, finished_at=now
    )
    removed = 0
    for job in Job.objects.filter(created_at__lt=now - timedelta(hours=settings.JOB_KEEP_HOURS)).iterator():
        if job.result:
            job.result.delete(save=False)
        job.delete()
        removed += 1
    return removed
