"""The proposals downloads over the API (token auth), the same files and permissions as the pages':

GET /proposals/export/ (登记表 Excel, the list's filters) · GET /proposals/{id}/form/ (提案 DOCX) ·
GET /assignments/{id}/reply-letter-draft/ (答复函草稿 DOCX, the department) ·
GET /stats/proposals/export/?table=&filetype= (a statistics table) ·
GET /stats/assessment/?year= and /stats/assessment/export/?year= (承办单位考核) ·
GET /assignments/export/?plenary=&term=&year=&format=xlsx (the 交办会's Excel of all assignments, staff).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import assessment, exports, selectors, stats
from zhengxie.accounts.permissions import IsDepartment, IsStaff, IsStaffOrLeader
from zhengxie.api_files import CSV, DOCX, XLSX, FileDownloadView, attachment, file_responses
from zhengxie.jobs.api import ACCEPTED, accepted
from zhengxie.jobs.models import Job
from zhengxie.params import is_int
from zhengxie.workflow.errors import InvalidInput

from .stats import SCOPE_PARAMETERS

LIST_FILTERS = [
    OpenApiParameter("state", str, description="状态，多个用逗号分隔"),
    OpenApiParameter("kind", str, description="类型：individual 个人 / joint 联名 / collective 集体"),
    OpenApiParameter("term", int, description="届次 ID"),
    OpenApiParameter("plenary", int, description="会次 ID"),
    OpenApiParameter("category", int, description="类别 ID"),
    OpenApiParameter("department", int, description="承办单位 ID（未撤销的交办）"),
    OpenApiParameter("key", bool, description="只要重点提案"),
    OpenApiParameter("overdue", bool, description="只要有逾期未答复交办的提案"),
    OpenApiParameter("q", str, description="案由、正文、编号、提案者中的关键字"),
]
YEAR_PARAMETER = OpenApiParameter("year", int, description="年度，默认今年")


def year_param(request) -> int:
    from django.utils import timezone

    raw = (request.query_params.get("year") or "").strip()
    if not raw:
        return timezone.localdate().year
    if not is_int(raw) or not 1949 <= int(raw) <= 2999:
        raise InvalidInput("参数 year 应为四位年份，如 2026。")
    return int(raw)


class ProposalRegisterExportView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="导出提案办理情况登记表（Excel）",
        description="与提案列表相同的筛选参数；机关工作人员和领导可用（同页面“导出登记表”）。"
        "不超过 2000 件（EXPORT_INLINE_MAX_ROWS）时直接返回文件（200）；更多时在后台生成，返回 202 和后台任务"
        "（Location 为 /api/v1/jobs/{id}/），任务完成后从其 download_url 下载。",
        parameters=LIST_FILTERS,
        responses={**file_responses(XLSX), **ACCEPTED},
    )
    def get(self, request):
        found = exports.register_download(request.user, request.query_params)
        if isinstance(found, Job):
            return accepted(found)
        content, name = found
        return attachment(content, XLSX, name)


class ProposalFormView(FileDownloadView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="提案表（DOCX）",
        description="能查看该提案的用户均可下载；看不到的提案为 404。",
        responses=file_responses(DOCX),
    )
    def get(self, request, pk: int):
        content, name = exports.proposal_form_file(selectors.access_proposal(request.user, pk))
        return attachment(content, DOCX, name)


class ReplyLetterDraftView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsDepartment]

    @extend_schema(
        summary="答复函草稿（DOCX）",
        description="承办单位下载本单位交办事项的答复函草稿，编辑、签章后随答复上传。",
        responses=file_responses(DOCX),
    )
    def get(self, request, pk: int):
        content, name = exports.reply_letter_file(selectors.access_assignment(request.user, pk))
        return attachment(content, DOCX, name)


class StatsTableExportView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="导出统计表（Excel / CSV）",
        description="统计页（/workbench/stats/）的一张表：`table` 为 state 按状态、category 按类别、department "
        "承办单位、month 按月、overdue 逾期、opinion 社情民意、instruction 批示、duty 履职积分分布；`filetype` 为 "
        "xlsx（默认）或 csv。",
        parameters=[
            OpenApiParameter("table", str, required=True, enum=list(exports.STATS_TABLES)),
            OpenApiParameter("filetype", str, enum=list(exports.STATS_FILE_TYPES), description="默认 xlsx"),
            *SCOPE_PARAMETERS,
        ],
        responses=file_responses(XLSX, CSV),
    )
    def get(self, request):
        scope = stats.scope_from_params(request.query_params)
        fmt = request.query_params.get("filetype") or "xlsx"
        if fmt not in exports.STATS_FILE_TYPES:
            raise InvalidInput("参数 filetype 应为 xlsx 或 csv。")
        found = exports.stats_table_file(scope, request.query_params.get("table", ""), fmt)
        if found is None:
            raise NotFound("没有这张统计表。")
        content, name = found
        return attachment(content, CSV if fmt == "csv" else XLSX, name)


AssessmentResponse = inline_serializer(
    "DepartmentAssessment",
    {
        "year": serializers.IntegerField(),
        "items": inline_serializer(
            "AssessmentItemInfo",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "weight": serializers.DecimalField(max_digits=6, decimal_places=2),
                "deduction": serializers.DecimalField(max_digits=6, decimal_places=2),
            },
            many=True,
        ),
        "rows": inline_serializer(
            "AssessmentRowInfo",
            {
                "rank": serializers.IntegerField(allow_null=True, help_text="无到期任务的单位不排名：null"),
                "department": serializers.IntegerField(),
                "name": serializers.CharField(),
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "scores": serializers.DictField(
                    child=serializers.DecimalField(max_digits=6, decimal_places=1)
                ),
                "total": serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True),
                "grade": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class AssessmentView(APIView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="承办单位考核",
        description="年度承办单位考核（与 /workbench/stats/assessment/ 相同）：各考核项得分、总分、等次和排名；"
        "没有到期任务的单位排在最后，不评分不排名（scores 为空，total、rank 为 null，grade 为“无到期任务”）。",
        parameters=[YEAR_PARAMETER],
        responses=AssessmentResponse,
    )
    def get(self, request):
        year = year_param(request)
        items, rows = assessment.department_assessment(year)
        counts = [key for key, _ in assessment.COUNT_COLUMNS]
        return Response(
            {
                "year": year,
                "items": [
                    {
                        "code": i.code,
                        "name": i.get_code_display(),
                        "weight": str(i.weight),
                        "deduction": str(i.deduction),
                    }
                    for i in items
                ],
                "rows": [
                    {
                        "rank": r.rank,
                        "department": r.department,
                        "name": r.name,
                        "counts": {key: r.counts[key] for key in counts},
                        "scores": {code: str(score) for code, score in r.scores.items()},
                        "total": str(r.total) if r.scored else None,
                        "grade": r.grade,
                    }
                    for r in rows
                ],
            }
        )


class AssessmentExportView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="导出承办单位考核（Excel）",
        description="报绩效考核部门的考核结果表（与页面导出相同）。",
        parameters=[YEAR_PARAMETER],
        responses=file_responses(XLSX),
    )
    def get(self, request):
        content, name = exports.assessment_file(year_param(request))
        return attachment(content, XLSX, name)


class AssignmentsExportView(FileDownloadView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(
        summary="交办清单（Excel）",
        description="交办会用：某会次（或届次、年度）全部未撤销的交办，每行一项：提案编号、案由、提案人（含已确认的"
        "联名人）、承办单位、办理方式、办理期限、交办时间、状态。仅机关工作人员。不超过 2000 项（EXPORT_INLINE_MAX_ROWS）"
        "时直接返回文件（200）；更多时（如不限范围）在后台生成，返回 202 和后台任务（Location 为 /api/v1/jobs/{id}/）。",
        parameters=[
            OpenApiParameter("plenary", int, description="会次 ID"),
            OpenApiParameter("term", int, description="届次 ID"),
            OpenApiParameter("year", int, description="统计年度（提案提交年度）"),
            OpenApiParameter("format", str, enum=["xlsx"], description="只有 xlsx（默认）"),
        ],
        responses={**file_responses(XLSX), **ACCEPTED},
    )
    def get(self, request):
        from proposals.season_documents import all_assignments_download
        from zhengxie.params import parse_int, parse_year

        params = request.query_params
        fmt = params.get("format") or params.get("filetype") or "xlsx"
        if fmt != "xlsx":
            raise InvalidInput("参数 format 只能为 xlsx。")
        year = None
        if (params.get("year") or "").strip():
            year = parse_year(params["year"])
            if year is None:
                raise InvalidInput("参数 year 应为四位年份，如 2026。")
        found = all_assignments_download(
            request.user,
            term=parse_int(params.get("term")),
            plenary=parse_int(params.get("plenary")),
            year=year,
        )
        if isinstance(found, Job):
            return accepted(found)
        content, name = found
        return attachment(content, XLSX, name)
