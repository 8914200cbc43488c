"""/stats/proposals/ and /stats/proposals/summary/ (API.md "Statistics")."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import stats
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import IsStaffOrLeader, has_role, require_role

SCOPE_PARAMETERS = [
    OpenApiParameter("term", int, description="届次 ID（提案所属届）"),
    OpenApiParameter("plenary", int, description="会次 ID（提案所属会次）"),
    OpenApiParameter("year", int, description="年度：提案提交时间（北京时间）所在年份"),
]

DEFINITIONS = """
提案统计。范围：`term`/`plenary` 为提案所属届次/会次，`year` 为提案提交时间（北京时间）所在年份，可组合。

计数：
- `received` 收到：至少提交过一次（submitted_at 非空），不含草稿和已撤回；`collective`/`joint`/`individual` 为其按类型的件数。
- `registered` 立案：状态为已立案、已交办、办理中、已答复、重新办理、已办结；`registered_collective` 其中集体提案；
  `not_registered` 不予立案；`merged` 并案；`pending_review` 尚在审查（收到 − 立案 − 不予立案 − 并案）。
- `replied` 办复：状态为已答复、重新办理、已办结；`replied_on_time` 其中首轮全部正式答复均在办理期限内；
  `contacted` 其中有面商记录；`rated` 其中提案人已测评；`satisfied` 其中提案人最终测评为满意或基本满意。
- `overdue`：当前逾期未答复的交办件数（未答复且办理期限早于今天）。

比率（百分数，一位小数，四舍五入；分母为 0 时为 0.0），均由同一响应中的计数算出：
- `registration_rate` = registered / received；`collective_share_of_registered` = registered_collective / registered；
- `reply_rate` = replied / registered；`on_time_reply_rate` = replied_on_time / replied；
- `contacted_rate` = contacted / replied；`rating_rate` = rated / replied；`satisfaction_rate` = satisfied / rated。
- `revisit_rate` = revisited / closed：`closed` 已办结件数，`revisited` 其中已回访（有回访记录）。

`outcomes`：范围内提案的成果转化记录数；`outcomes_by_kind` 按类型（policy 出台政策、project 立项实施、funding 资金投入、other 其他）。

`by_department`（按承办单位，不含已撤销的交办，含主办、会办、分办）：`assigned` 交办件数；`replied` 已答复（答复或会办意见，
至少一次）；`on_time` 首次答复在期限内；`late` 首次答复逾期；`overdue` 当前逾期未答复；`a`/`b`/`c` 最近一次答复类别；
`formal_replied` 主办/分办已答复，`contacted` 其中有面商；`rehandled` 重新办理；`rated`/`satisfied` 主办/分办件中提案人已测评/满意
（含基本满意）；`on_time_rate` = on_time / replied；`contacted_rate` = contacted / formal_replied；
`satisfaction_rate` = satisfied / rated。

`by_category`：按类别的收到件数和立案件数。`by_state`：按状态的件数。

权限：机关工作人员和领导看到全部数据；承办单位账号只得到 `scope` 和本单位的一行 `by_department`（不含总体数字）；委员 403。
"""

_int = serializers.IntegerField
_rate = serializers.FloatField


ScopeSerializer = inline_serializer(
    "ProposalStatsScope",
    {"term": _int(allow_null=True), "plenary": _int(allow_null=True), "year": _int(allow_null=True)},
)


_DEPARTMENT_FIELDS = {
    "department": _int(),
    "name": serializers.CharField(),
    **{
        name: _int()
        for name in (
            "assigned",
            "replied",
            "on_time",
            "late",
            "overdue",
            "a",
            "b",
            "c",
            "formal_replied",
            "contacted",
            "rehandled",
            "rated",
            "satisfied",
        )
    },
    "on_time_rate": _rate(),
    "contacted_rate": _rate(),
    "satisfaction_rate": _rate(),
}

_TOTAL_COUNTS = (
    "received",
    "collective",
    "individual",
    "joint",
    "registered",
    "registered_collective",
    "not_registered",
    "merged",
    "pending_review",
    "replied",
    "replied_on_time",
    "contacted",
    "rated",
    "satisfied",
    "overdue",
    "closed",
    "revisited",
    "outcomes",
)
_TOTAL_RATES = (
    "registration_rate",
    "collective_share_of_registered",
    "reply_rate",
    "on_time_reply_rate",
    "contacted_rate",
    "rating_rate",
    "satisfaction_rate",
    "revisit_rate",
)

ProposalStatsResponse = inline_serializer(
    "ProposalStats",
    {
        "scope": ScopeSerializer,
        # Overall figures are absent from a department user's response.
        **{name: _int(required=False) for name in _TOTAL_COUNTS},
        **{name: _rate(required=False) for name in _TOTAL_RATES},
        "by_state": inline_serializer(
            "ProposalStatsByState",
            {"state": serializers.CharField(), "name": serializers.CharField(), "count": _int()},
            many=True,
            required=False,
        ),
        "by_department": inline_serializer("ProposalStatsByDepartment", _DEPARTMENT_FIELDS, many=True),
        "outcomes_by_kind": serializers.DictField(child=_int(), required=False),
        "by_category": inline_serializer(
            "ProposalStatsByCategory",
            {"category": _int(), "name": serializers.CharField(), "received": _int(), "registered": _int()},
            many=True,
            required=False,
        ),
    },
)


class _StatsPermission(IsAuthenticated):
    """Staff, leaders and departments (the view trims what a department sees); members 403."""

    message = "您的角色无权查看统计。"

    def has_permission(self, request, view):
        return has_role(request.user, Role.STAFF, Role.LEADER, Role.DEPARTMENT)


class ProposalStatsView(APIView):
    permission_classes = [_StatsPermission]

    @extend_schema(
        summary="提案统计",
        description=DEFINITIONS,
        parameters=SCOPE_PARAMETERS,
        responses=OpenApiResponse(ProposalStatsResponse),
        tags=["统计"],
    )
    def get(self, request):
        scope = stats.scope_from_params(request.query_params)
        return Response(stats.stats_for(request.user, scope))


class ProposalStatsSummaryView(APIView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        summary="提案工作报告段落",
        description="按所选范围生成可贴入常委会工作报告的提案工作段落（数字与 /stats/proposals/ 相同）。"
        "仅机关工作人员和领导可用。",
        parameters=SCOPE_PARAMETERS,
        responses=OpenApiResponse(
            inline_serializer(
                "ProposalStatsSummary", {"scope": ScopeSerializer, "text": serializers.CharField()}
            )
        ),
        tags=["统计"],
    )
    def get(self, request):
        require_role(request.user, Role.STAFF, Role.LEADER)
        scope = stats.scope_from_params(request.query_params)
        figures = stats.proposal_stats(scope)
        return Response({"scope": scope.as_dict(), "text": stats.summary_text(scope, figures)})
