"""The 履职 downloads over the API (token auth), the same files and permissions as the pages':

GET /members/{id}/duty-report/?year= (履职报告 DOCX: the member, staff, leaders) ·
GET /scores/export/?year= (委员履职积分 Excel) · GET /sectors/{id}/duty-reports/?year= (a sector's reports, ZIP, built by a background job: 202).
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated

from members import exports, selectors
from zhengxie.accounts.permissions import IsStaffOrLeader
from zhengxie.api_files import DOCX, XLSX, FileDownloadView, attachment, file_responses
from zhengxie.jobs.api import ACCEPTED, accepted

YEAR = OpenApiParameter("year", int, description="年度，默认今年")


def _year(request) -> int:
    from .api import _year_param

    return _year_param(request)


class MemberDutyReportView(FileDownloadView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="委员年度履职报告（DOCX）",
        description="委员本人、机关工作人员和领导可下载；看不到的委员为 404。",
        parameters=[YEAR],
        responses=file_responses(DOCX),
    )
    def get(self, request, pk: int):
        member = selectors.access_member_duty(request.user, pk)
        content, name = exports.duty_report_file(member, _year(request))
        return attachment(content, DOCX, name)


class DutyScoresExportView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(summary="导出委员履职积分（Excel）", parameters=[YEAR], responses=file_responses(XLSX))
    def get(self, request):
        content, name = exports.duty_scores_file(_year(request))
        return attachment(content, XLSX, name)


class SectorDutyReportsView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="界别委员履职报告（ZIP，每人一份 DOCX）",
        description="在后台生成：返回 202 和后台任务（Location 为 /api/v1/jobs/{id}/），任务完成后从其 "
        "download_url 下载 ZIP。",
        parameters=[YEAR],
        responses=ACCEPTED,
    )
    def get(self, request, pk: int):
        sector = get_object_or_404(selectors.sector_list(), pk=pk)
        return accepted(exports.sector_reports_start(actor=request.user, sector=sector, year=_year(request)))
