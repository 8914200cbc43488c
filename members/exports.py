"""Every 履职 download, as (content, filename): the pages and the API both call these. Permission checks
stay with the callers (access_member_duty / roles)."""

from members import documents, scoring
from members.models import Member


def duty_report_file(member: Member, year: int) -> tuple[bytes, str]:
    data = documents.report_data([member], year)[0]
    return documents.duty_report_docx(data), f"{year}年度履职报告-{member.name}.docx"


def duty_scores_file(year: int) -> tuple[bytes, str]:
    scheme = scoring.scheme_for(year)
    rows = scoring.with_breakdown(scheme, scoring.year_scores(year, scheme=scheme))
    return documents.scores_xlsx(year, rows, scheme), f"{year}年度委员履职积分.xlsx"


def sector_reports_file(sector, year: int) -> tuple[bytes, str]:
    members = list(
        Member.objects.filter(sector=sector, status=Member.Status.SERVING)
        .select_related("sector", "party")
        .order_by("name", "id")
    )
    data = documents.report_data(members, year)
    return documents.duty_reports_zip(data), f"{year}年度履职报告-{sector.name}.zip"
