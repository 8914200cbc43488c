"""Roster uploads in the admin run as background jobs (zhengxie.jobs): the upload starts a preview job (the
import service with dry_run: every bad row, or what would be created and updated), the job page offers
确认导入, which starts the real import as a second job. No import runs inside a web request.

The uploaded file waits in the private import folder (import_storage) between the two; the real import
removes it. Activation links or generated passwords come back as the job's file, downloadable once."""

import csv
import io
import os

from django.db import transaction
from django.urls import reverse

from zhengxie.jobs.kinds import Result
from zhengxie.jobs.models import Job
from zhengxie.jobs.services import job_start
from zhengxie.workflow.errors import InvalidInput

from .import_storage import import_tmp_dir
from .imports import TableError, credential_rows, read_table

NAMES_SHOWN = 30  # names listed per line of the summary; the rest are counted


def roster_import_start(*, actor, kind: str, noun: str, admin_name: str, stored: str, name: str) -> Job:
    """The preview job of an uploaded roster (`stored`: its name in the private import folder)."""
    return job_start(
        actor=actor,
        kind=kind,
        title=f"导入{noun}（预览）：{name}",
        params={
            "file": os.path.basename(stored),
            "name": name,
            "dry_run": True,
            "admin": admin_name,
            "noun": noun,
        },
    )


def roster_import_confirm(*, actor, preview: Job) -> Job:
    """确认导入 on a finished preview: the real import as a new job, once per preview."""
    with transaction.atomic():
        preview = Job.objects.select_for_update().get(pk=preview.pk)
        if (
            preview.state != Job.State.DONE
            or not preview.params.get("dry_run")
            or preview.params.get("action_taken")
        ):
            raise InvalidInput("该预览不能确认导入（已确认过，或预览未成功）。")
        preview.params = {**preview.params, "action_taken": True}
        preview.save(update_fields=["params"])
        noun = preview.params.get("noun", "")
        return job_start(
            actor=actor,
            kind=preview.kind,
            title=f"导入{noun}：{preview.params['name']}",
            params={
                **{k: v for k, v in preview.params.items() if k in ("file", "name", "admin", "noun")},
                "dry_run": False,
                "preview": preview.pk,
            },
        )


def run_roster_import(job: Job, out, progress, *, service, name_label: str) -> Result:
    params = job.params
    path = import_tmp_dir() / os.path.basename(params["file"])
    if not path.exists():
        raise TableError("上传的文件已过期（超过两小时未确认）或已导入，请重新上传。")
    table = read_table(path, name=params["name"])
    progress(0, len(table.rows))
    report = service(actor=job.owner, table=table, dry_run=params["dry_run"])
    summary = "；\n".join(_short(line) for line in report.summary_lines()) + "。"
    if params["dry_run"]:
        admin_name = params["admin"]
        return Result(
            message="预览（尚未写入数据库）：\n" + summary + "\n确认无误后点击“确认导入”。",
            action_url=reverse(f"admin:{admin_name}_import_confirm", args=[job.pk]),
            action_label="确认导入",
        )
    path.unlink(missing_ok=True)
    if not report.credentials:
        return Result(message="导入完成。\n" + summary)
    # Activation links / random initial passwords: a CSV the operator downloads once (then removed).
    buffer = io.StringIO()
    csv.writer(buffer).writerows(credential_rows(report.credentials, name_label=name_label))
    out.write(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    links = bool(report.credentials[0].activation_url)
    return Result(
        name="activation-links.csv" if links else "initial-passwords.csv",
        content_type="text/csv; charset=utf-8",
        message="导入完成。\n"
        + summary
        + "\n"
        + ("激活链接" if links else "初始密码")
        + "只能下载一次，请妥善保存。",
        once=True,
    )


def _short(line: str) -> str:
    """A summary line with at most NAMES_SHOWN names ("新建委员 3000 个：甲、乙、…等")."""
    head, sep, names = line.partition("：")
    parts = names.split("、") if sep else []
    if len(parts) <= NAMES_SHOWN:
        return line
    return f"{head}：{'、'.join(parts[:NAMES_SHOWN])} 等"


def departments_import_job(job, out, progress) -> Result:
    from .services import departments_import

    return run_roster_import(job, out, progress, service=departments_import, name_label="单位名称")
