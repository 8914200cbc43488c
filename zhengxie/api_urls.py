"""/api/v1/: one router for every app's viewsets, plus the apps' plain API views.

Each app's api module may define `register(router)` (viewsets) and `urlpatterns` (plain views such as
/me/ or /stats/…). An app whose api module does not exist yet is skipped, so apps can land one by one.
"""

from importlib import import_module
from importlib.util import find_spec

from rest_framework.routers import SimpleRouter

API_MODULES = [
    "zhengxie.accounts.api",
    "zhengxie.notifications.api",
    "zhengxie.workflow.api",
    "zhengxie.jobs.api",
    "members.api",
    "consultations.api",
    "deliberations.api",
    "activities.api",
    "sqyy.api",
    "proposals.api",
]


class Router(SimpleRouter):
    """Object ids in API paths are integers: /transfers/AAA/accept/ does not match (404 before any view,
    permission or role check runs) unless a viewset declares its own `lookup_value_regex`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._default_value_pattern = "[0-9]+"


router = Router()
urlpatterns = []

for module_name in API_MODULES:
    if find_spec(module_name) is None:
        continue
    module = import_module(module_name)
    if hasattr(module, "register"):
        module.register(router)
    urlpatterns += getattr(module, "urlpatterns", [])

urlpatterns += router.urls
