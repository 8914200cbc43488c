"""Shared pieces of the API's file downloads (DOCX, XLSX, CSV, ZIP): token auth like every API view, the
file as an attachment, and errors always as JSON whatever the client's Accept header."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from rest_framework.views import APIView

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
ZIP = "application/zip"


def file_responses(*content_types: str) -> dict:
    """The `responses` of extend_schema for a download: the binary body under each media type."""
    return {(200, content_type.split(";")[0]): OpenApiTypes.BINARY for content_type in content_types}


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


class FileDownloadView(APIView):
    """A GET that answers a file. An Accept header naming the file type is fine: negotiation falls back to
    JSON (used only for 4xx answers) instead of answering 406."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)
