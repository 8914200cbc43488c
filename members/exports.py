"""Every 履职 download, as (content, filename): the pages and the API both call these. Permission checks
stay with the callers (access_member_duty / roles)."""

from members import documents, scoring
from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.jobs.kinds import Result
from zhengxie.jobs.services import job_start
from zhengxie.workflow.errors import InvalidInput


def duty_report_file(member: Member, year: int) -> tuple[bytes, str]:
    data = documents.report_data([member], year)[0]
    return documents.duty_report_docx(data), f"{year}年度履职报告-{member.name}.docx"


def duty_scores_file(year: int) -> tuple[bytes, str]:
    scheme = scoring.scheme_for(year)
    rows = scoring.with_breakdown(scheme, scoring.year_scores(year, scheme=scheme))
    return documents.scores_xlsx(year, rows, scheme), f"{year}年度委员履职积分.xlsx"


def sector_reports_start(*, actor, sector, year: int):
    """A sector's 履职报告 (one DOCX a member, zipped) take seconds a member: always a background job."""
    return job_start(
        actor=actor,
        kind="sector_reports",
        title=f"生成{year}年度履职报告（{sector.name}）",
        params={"sector": sector.pk, "year": year},
    )


def sector_reports_job(job, out, progress) -> Result:
    """The job: every serving member's report of the sector and year, written one by one into a zip in
    `out` (memory holds one document at a time), with the permissions of the user who started it."""
    from members import selectors

    require_role(job.owner, Role.STAFF, Role.LEADER)
    sector = selectors.sector_list().filter(pk=job.params["sector"]).first()
    if sector is None:
        raise InvalidInput("该界别已不存在。")
    year = int(job.params["year"])
    members = list(
        Member.objects.filter(sector=sector, status=Member.Status.SERVING)
        .select_related("sector", "party")
        .order_by("name", "id")
    )
    documents.duty_reports_zip(documents.report_data(members, year), out, progress=progress)
    return Result(name=f"{year}年度履职报告-{sector.name}.zip", content_type="application/zip")
