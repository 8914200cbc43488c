"""GET /jobs/{id}/ (a background job's state and progress) and GET /jobs/{id}/download/ (its file).

An export too large to build within the request answers 202 with this job (see `accepted`); the client
polls the job until `state` is `done` (then downloads `download_url`) or `failed` (`message` says why).
Only the user who started a job sees it: another user's job is 404."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengxie.api_files import FileDownloadView

from . import selectors, views
from .models import Job

JobSerializer = inline_serializer(
    "Job",
    {
        "id": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "title": serializers.CharField(),
        "state": serializers.ChoiceField(choices=Job.State.choices),
        "state_display": serializers.CharField(),
        "progress": serializers.IntegerField(help_text="0–100"),
        "total": serializers.IntegerField(help_text="要处理的条数（已知时）"),
        "message": serializers.CharField(help_text="完成时的说明或失败原因"),
        "created_at": serializers.DateTimeField(),
        "started_at": serializers.DateTimeField(allow_null=True),
        "finished_at": serializers.DateTimeField(allow_null=True),
        "url": serializers.CharField(help_text="本任务的 API 地址"),
        "page_url": serializers.CharField(help_text="网页上查看进度的地址"),
        "download_url": serializers.CharField(allow_null=True, help_text="完成后可下载文件时给出"),
    },
)


def job_data(job: Job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "title": job.title,
        "state": job.state,
        "state_display": job.get_state_display(),
        "progress": job.progress,
        "total": job.total,
        "message": job.message,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "url": f"/api/v1/jobs/{job.pk}/",
        "page_url": f"/jobs/{job.pk}/",
        "download_url": f"/api/v1/jobs/{job.pk}/download/" if job.downloadable else None,
    }


def accepted(job: Job) -> Response:
    """202 Accepted for an export that runs as a background job: the job, and its URL in Location."""
    return Response(job_data(job), status=202, headers={"Location": f"/api/v1/jobs/{job.pk}/"})


ACCEPTED = {202: JobSerializer}


class JobView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="后台任务的状态与进度",
        description="大批量导出和名册导入在后台执行：发起时返回 202 和本对象，每隔几秒查询一次，"
        "`state` 为 done 时从 `download_url` 下载文件，为 failed 时 `message` 为原因。只有发起人可见，他人的任务为 404。",
        responses=JobSerializer,
    )
    def get(self, request, pk: int):
        return Response(job_data(selectors.job_for(request.user, pk)))


class JobDownloadView(FileDownloadView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="下载后台任务生成的文件",
        description="任务完成（state 为 done）后可下载；未完成、文件已删除或不是本人的任务为 404。",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        return views.file_response(selectors.job_for(request.user, pk))


urlpatterns = [
    path("jobs/<int:pk>/", JobView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/download/", JobDownloadView.as_view(), name="job-download"),
]
