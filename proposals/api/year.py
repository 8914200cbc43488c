"""`GET /stats/year/` and `GET /stats/year/report/` (API.md "Statistics"): the year's work-report figures."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengxie.accounts.permissions import IsStaffOrLeader
from zhengxie.params import is_int
from zhengxie.workflow.errors import InvalidInput

from .. import year_figures

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEAR = OpenApiParameter("year", int, description="自然年，默认今年（1949–2999）")


def year_param(params) -> int:
    raw = (params.get("year") or "").strip()
    if not raw:
        return timezone.localdate().year
    if not is_int(raw) or not 1949 <= int(raw) <= 2999:
        raise InvalidInput("参数 year 应为1949至2999之间的年份。")
    return int(raw)


class YearStatsView(APIView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="年度工作统计",
        description=year_figures.__doc__,
        parameters=[YEAR],
        responses=OpenApiTypes.OBJECT,
        tags=["统计"],
    )
    def get(self, request):
        return Response(year_figures.year_figures(year_param(request.query_params)))


class YearReportView(APIView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="常委会工作报告统计稿（Word）",
        parameters=[YEAR],
        responses={(200, DOCX): OpenApiTypes.BINARY},
        tags=["统计"],
    )
    def get(self, request):
        from urllib.parse import quote

        year = year_param(request.query_params)
        response = HttpResponse(year_figures.year_report_docx(year), content_type=DOCX)
        name = quote(f"{year}年常委会工作报告统计稿.docx")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return response
