"""Checks made where a serving process starts (WSGI, ASGI, the Celery worker and beat).

Settings load without DJANGO_SECRET_KEY so that tooling that signs nothing — `manage.py check`,
`makemigrations --check`, `migrate` on a build machine — runs in a bare environment; a process that would
sign sessions, CSRF tokens or check-in codes refuses to start instead, with a Chinese message.
"""

from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = "请设置环境变量 DJANGO_SECRET_KEY（生产环境必须提供）。"


def require_secret_key() -> None:
    from django.conf import settings

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses an empty key on access
        key = ""
    if not key:
        raise ImproperlyConfigured(MISSING_SECRET_KEY)


def warm_up() -> None:
    """Load what the first requests would otherwise wait for, then set it aside from the garbage collector.

    - The Chinese segmenter and its dictionaries (~1 s; the first search of every web worker paid it: a p95
      of 1 s on a search answered in 70 ms).
    - Every template of the project, compiled (the cached loader keeps them): each page's first view in each
      worker compiled its template and its includes, ~100 ms more than the views after it.
    - The URLconf with every view module, and the caches' clients (the Redis client's import alone is 70 ms).
    - gc.freeze: the modules, templates and dictionaries live as long as the process, and each full
      collection walked them all, 90–130 ms inside every fifth or so API request (the p95 of every list was
      its p50 plus a collection)."""
    import gc

    from zhengxie import textsearch

    textsearch.parse("政协委员提案")
    compile_templates()
    _load_urls_and_caches()
    gc.collect()
    gc.freeze()


def compile_templates() -> int:
    """Compile every template under the project's own directories into the cached loaders; the number
    compiled. A template that does not compile is left to fail where it is used, as before."""
    import logging
    from pathlib import Path

    from django.conf import settings
    from django.template import TemplateSyntaxError, engines
    from django.template.backends.django import DjangoTemplates

    base = Path(settings.BASE_DIR).resolve()
    compiled = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for directory in engine.template_dirs:
            root = Path(directory).resolve()
            if not root.is_relative_to(base) or ".venv" in root.parts or not root.is_dir():
                continue
            for path in sorted(root.rglob("*")):
                if path.suffix not in (".html", ".txt", ".xml") or not path.is_file():
                    continue
                try:
                    engine.get_template(path.relative_to(root).as_posix())
                    compiled += 1
                except TemplateSyntaxError:
                    logging.getLogger(__name__).exception("template %s does not compile", path)
    return compiled


def _load_urls_and_caches() -> None:
    from django.core.cache import caches
    from django.urls import get_resolver

    get_resolver()._populate()  # imports every view module
    for alias in caches.settings:
        try:
            caches[alias].get("zhengxie:warm-up")  # imports and connects the client
        except Exception:  # a cache that is down now may be up later; figures_cache computes meanwhile
            pass
