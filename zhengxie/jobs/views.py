"""/jobs/<id>/: the owner watches a background job (htmx polls the status every 2 s; no inline script)
and downloads its file when it is done. Another user's job is a 404."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from . import selectors, services


def _signed_in(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


def started(job):
    """The page's answer to a click that started a job: go and watch it."""
    return redirect(reverse("jobs:detail", args=[job.pk]))


@require_GET
@_signed_in
def detail(request, pk: int):
    job = selectors.job_for(request.user, pk)
    return render(request, "jobs/detail.html", {"job": job, "keep_hours": settings.JOB_KEEP_HOURS})


@require_GET
@_signed_in
def status(request, pk: int):
    return render(request, "jobs/_status.html", {"job": selectors.job_for(request.user, pk)})


@require_GET
@_signed_in
def download(request, pk: int):
    job = selectors.job_for(request.user, pk)
    return file_response(job)


def file_response(job) -> HttpResponse:
    """The job's file as an attachment (pages and API); 404 while there is none."""
    if not job.downloadable:
        raise Http404("文件尚未生成或已删除。")
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404("文件已删除。") from None
    if job.params.get("once"):
        # Activation links are handed out once: read the file, then remove it from the server.
        with handle:
            content = handle.read()
        services.job_downloaded(job=job)
        response = HttpResponse(content, content_type=job.result_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=job.result_name
        )
    else:
        response = FileResponse(
            handle, as_attachment=True, filename=job.result_name, content_type=job.result_type
        )
    response["Cache-Control"] = "no-store"
    return response
