"""Every URL the project serves, as concrete paths: for sweeps of bad ids and bad query strings."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _flatten(patterns, prefix=""):
    for p in patterns:
        route = str(p.pattern)
        route = route.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\Z", "")
        if isinstance(p, URLResolver):
            yield from _flatten(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route, p


def routes(prefix: str = "", *, skip=("admin/", "api/schema", "api/docs", "api/redoc")):
    """(route template, pattern) for every URL under `prefix`, e.g. ("api/v1/transfers/<pk>/accept/", …)."""
    seen = set()
    for route, pattern in _flatten(get_resolver().url_patterns):
        route = route.replace("(?P<format>[a-z0-9]+)/?", "")
        if not route.startswith(prefix) or route.startswith(skip) or "(?P<format>" in route:
            continue
        if route in seen:
            continue
        seen.add(route)
        yield route, pattern


def params(route: str) -> list[str]:
    return [m.group("name") or m.group("rname") for m in _PARAM.finditer(route)]


def fill(route: str, value: str, *, only=None) -> str:
    """The route with every parameter (or those named in `only`) set to `value`, others to 1."""

    def put(m):
        name = m.group("name") or m.group("rname")
        if m.group("converter") == "slug" or m.group("converter") == "str":
            return value if only is None or name in only else "x"
        return value if only is None or name in only else "1"

    return "/" + _PARAM.sub(put, route)
