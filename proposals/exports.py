"""Every proposals download, as (content, filename): the pages and the API both call these, so a file is
built one way whatever asks for it. Permission checks stay with the callers (selectors / roles)."""

import io

from django.conf import settings
from django.utils import timezone

from proposals import assessment, handling_selectors, stats
from proposals.documents import proposal_form_docx, reply_letter_docx
from proposals.resources import ProposalRegisterResource
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.api_files import XLSX
from zhengxie.exports import xlsx_write
from zhengxie.jobs.kinds import Result
from zhengxie.jobs.models import Job
from zhengxie.jobs.services import job_start

REGISTER_TITLE = "提案办理情况登记表"


def register_name() -> str:
    return f"{REGISTER_TITLE}_{timezone.localdate():%Y%m%d}.xlsx"


def register_download(user, params) -> tuple[bytes, str] | Job:
    """提案办理情况登记表 (Excel): what `user` may see, filtered by the staff list's query parameters.

    Up to EXPORT_INLINE_MAX_ROWS proposals the file itself (built in the request); more, a background
    job that builds it (the caller answers 202 / sends the user to the job page)."""
    qs = handling_selectors.proposal_register(user, params=params)
    if qs.count() > settings.EXPORT_INLINE_MAX_ROWS:
        return job_start(
            actor=user,
            kind="proposal_register",
            title=f"导出{REGISTER_TITLE}",
            params={"query": {k: v for k, v in params.items()}},
        )
    out = io.BytesIO()
    write_register(qs, out)
    return out.getvalue(), register_name()


def register_file(user, params) -> tuple[bytes, str]:
    """The register built here and now, whatever its size (the background job, tests)."""
    out = io.BytesIO()
    write_register(handling_selectors.proposal_register(user, params=params), out)
    return out.getvalue(), register_name()


def write_register(qs, out, *, progress=None) -> None:
    """Stream the register into `out`: one query with a server-side cursor plus the prefetches of each
    chunk of rows, each row built from what was read (no query per row)."""
    resource = ProposalRegisterResource()
    rows = (resource.export_resource(p) for p in resource.iter_queryset(resource.filter_export(qs)))
    xlsx_write(
        out,
        title=REGISTER_TITLE,
        headers=resource.get_export_headers(),
        rows=rows,
        progress=progress,
        total=qs.count() if progress is not None else 0,
    )


def register_job(job, out, progress) -> Result:
    """The background job of a large register: run with the permissions of the user who started it."""
    require_role(job.owner, Role.STAFF, Role.LEADER)
    qs = handling_selectors.proposal_register(job.owner, params=job.params.get("query", {}))
    write_register(qs, out, progress=progress)
    return Result(name=register_name(), content_type=XLSX)


def proposal_form_file(proposal) -> tuple[bytes, str]:
    return proposal_form_docx(proposal), f"{proposal.number or f'提案{proposal.pk}'}.docx"


def reply_letter_file(assignment) -> tuple[bytes, str]:
    name = f"答复函草稿-{assignment.proposal.number or assignment.proposal.pk}.docx"
    return reply_letter_docx(assignment), name


STATS_FILE_TYPES = ("xlsx", "csv")
# The dashboard's tables (stats.dashboard), in its order.
STATS_TABLES = ("state", "category", "department", "month", "overdue", "opinion", "instruction", "duty")


def stats_table_file(scope: stats.Scope, key: str, fmt: str) -> tuple[bytes, str] | None:
    """One table of the statistics dashboard as CSV or Excel; None when there is no such table."""
    table = stats.table_rows_by_key(stats.dashboard(scope)["tables"]).get(key)
    if table is None or fmt not in STATS_FILE_TYPES:
        return None
    name = f"{table.title}（{scope.label}）"
    if fmt == "csv":
        return stats.table_csv(table), f"{name}.csv"
    return stats.table_xlsx(table, heading=name), f"{name}.xlsx"


def assessment_file(year: int) -> tuple[bytes, str]:
    return assessment.assessment_workbook(year), f"{year}年承办单位考核.xlsx"
