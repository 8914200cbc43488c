"""Every proposals download, as (content, filename): the pages and the API both call these, so a file is
built one way whatever asks for it. Permission checks stay with the callers (selectors / roles)."""

from django.utils import timezone

from proposals import assessment, handling_selectors, stats
from proposals.documents import proposal_form_docx, reply_letter_docx
from proposals.resources import ProposalRegisterResource


def register_file(user, params) -> tuple[bytes, str]:
    """提案办理情况登记表 (Excel): what `user` may see, filtered by the staff list's query parameters."""
    qs = handling_selectors.proposal_register(user, params=params)
    content = ProposalRegisterResource().export(queryset=qs).export("xlsx")
    return content, f"提案办理情况登记表_{timezone.localdate():%Y%m%d}.xlsx"


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
