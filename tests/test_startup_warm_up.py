"""zhengxie.startup.warm_up's parts: every template of the project compiles at a worker's start (a page's
first view in each worker compiled it, ~100 ms), and a cache that is down does not stop a worker starting."""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test import override_settings

from zhengxie import startup


def _project_templates() -> set[str]:
    base = Path(settings.BASE_DIR).resolve()
    names = set()
    for directory in engines["django"].template_dirs:
        root = Path(directory).resolve()
        if root.is_relative_to(base) and ".venv" not in root.parts and root.is_dir():
            names |= {
                p.relative_to(root).as_posix()
                for p in root.rglob("*")
                if p.suffix in (".html", ".txt", ".xml") and p.is_file()
            }
    return names


def test_every_project_template_is_compiled_into_the_cached_loader():
    names = _project_templates()
    assert len(names) > 100 and "base.html" in names and "proposals/handling/board.html" in names
    loader = engines["django"].engine.template_loaders[0]
    assert isinstance(loader, CachedLoader)
    loader.reset()
    assert startup.compile_templates() >= len(names)
    cached = set(loader.get_template_cache)  # keyed by name (no skip list at the top level)
    assert names <= cached


def test_a_cache_that_is_down_does_not_stop_the_warm_up():
    down = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "figures": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    with override_settings(CACHES=down):
        startup._load_urls_and_caches()
