"""A piece of work a user started that runs on the Celery worker instead of in the web request: a large
export (the register, a sector's 履职报告 zip) or a roster import. The user watches its progress at
/jobs/<id>/ (or GET /api/v1/jobs/{id}/) and downloads the file when it is done."""

import secrets

from django.conf import settings
from django.db import models


def result_path(job, filename: str) -> str:
    # A random folder: the file is only ever served through the owner's download view, never by its path.
    return f"jobs/{job.created_at:%Y%m}/{secrets.token_hex(12)}/{filename}"


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    FINISHED = (State.DONE, State.FAILED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField("类型", max_length=50)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    total = models.PositiveIntegerField("总条数", default=0)
    result = models.FileField("结果文件", upload_to=result_path, max_length=300, blank=True)
    result_name = models.CharField("文件名", max_length=200, blank=True)
    result_type = models.CharField("文件类型", max_length=100, blank=True)
    message = models.TextField("说明", blank=True)  # the summary when done, the reason when failed
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def downloadable(self) -> bool:
        return self.state == self.State.DONE and bool(self.result)
