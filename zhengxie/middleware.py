"""The project's middleware: a Chinese 404 page in development too, clean input, remembered counts within a
request, and the garbage collector after the response."""

import gc
import os

from django.conf import settings
from django.core.signals import request_finished
from django.http import Http404, JsonResponse
from django.shortcuts import render

API_NOT_FOUND = "对象不存在。"


def _technical_404_wanted() -> bool:
    return os.environ.get("DJANGO_DEBUG_TECHNICAL_404", "") == "1"


def not_found_response(request):
    """The 404 people see: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        # The same wording as handler404 and the DRF handler, so clients see one 404 in every mode.
        return JsonResponse({"detail": API_NOT_FOUND}, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "404.html", status=404)


class FriendlyNotFoundMiddleware:
    """With DEBUG on, render templates/404.html instead of the technical page.

    `DJANGO_DEBUG_TECHNICAL_404=1` brings the technical page back. Without DEBUG Django already uses
    the template (403 pages use templates/403.html in every mode), so this does nothing then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not _technical_404_wanted()

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self._active()
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            # No URL matched: Django answered with its technical 404 page.
            return not_found_response(request)
        return response

    def process_exception(self, request, exception):
        if self._active() and isinstance(exception, Http404):
            return not_found_response(request)
        return None


class CleanInputMiddleware:
    """Control characters never reach a form, a filter or the database (see zhengxie.text): query
    strings everywhere, and form posts of the pages (the API's bodies are cleaned by its parsers,
    zhengxie.parsers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from zhengxie.text import clean_querydict

        request.GET = clean_querydict(request.GET)
        if request.method == "POST" and not request.path_info.startswith("/api/"):
            request.POST = clean_querydict(request.POST)
        return self.get_response(request)


class RequestMemoMiddleware:
    """A GET or HEAD request remembers its capped counts (zhengxie.paging.counts_remembered): a search
    that counted its matches to decide on ranking does not count them again for its pager. Only safe
    requests: a write between two counts must be seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from zhengxie.paging import counts_remembered

        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with counts_remembered():
            return self.get_response(request)


# While a request runs, the cyclic garbage collector waits until this many more container objects are alive
# than when it began (a safety net for a request that builds millions); Python's own threshold (700) is put
# back when the response has been sent.
REQUEST_GC_THRESHOLD = 100_000
_normal_threshold: tuple[int, ...] | None = None


def _collect_later() -> None:
    global _normal_threshold
    current = gc.get_threshold()
    if current[0] != REQUEST_GC_THRESHOLD:
        _normal_threshold = current
    gc.set_threshold(REQUEST_GC_THRESHOLD, *current[1:])


def _collect_as_usual(**kwargs) -> None:
    if _normal_threshold is not None:
        gc.set_threshold(*_normal_threshold)


class CollectAfterResponseMiddleware:
    """The cyclic garbage collector runs after a response is sent, not in the middle of building it.

    A list page keeps tens of thousands of objects alive until it is written (its rows, their prefetched
    rows, the querysets of each). With Python's thresholds the collector ran several times inside such a
    request, each time walking everything alive so far: 5 ms a request on average on the proposals API list
    at a quarter province, 35 ms at its p95 (the difference between its p50 and p95). Left until
    `request_finished` (when the server has written the response), one collection finds the request's
    few thousand cyclic leftovers (~2 ms, outside the request). First in MIDDLEWARE, so the whole request
    is covered; a sync worker serves one request at a time, and under threads a request that sees the
    other's threshold only collects as before."""

    def __init__(self, get_response):
        request_finished.connect(_collect_as_usual, dispatch_uid="zhengxie-collect-after-response")
        self.get_response = get_response

    def __call__(self, request):
        _collect_later()
        try:
            return self.get_response(request)
        except BaseException:
            _collect_as_usual()
            raise
