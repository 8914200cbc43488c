from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from proposals.views_workbench import workbench
from zhengxie import views

admin.site.site_header = "政协履职工作平台 管理后台"
admin.site.site_title = "政协履职工作平台"
admin.site.index_title = "机关工作台"

urlpatterns = [
    path("", include("members.urls")),
    path("", include("proposals.urls_after_reply")),
    path("", include("proposals.urls")),
    path("", include("zhengxie.notifications.urls")),
    path("", include("zhengxie.jobs.urls")),
    path("", include("sqyy.urls")),
    path("", include("consultations.urls")),
    path("", include("deliberations.urls")),
    path("", include("activities.urls")),
    path("workbench/handling/", include("proposals.urls_handling")),
    path("workbench/stats/", include("proposals.urls_stats")),
    path("workbench/calendar/", include("zhengxie.workflow.urls_calendar")),
    path("portal/", include("proposals.urls_portal")),
    path("home/", views.home, name="home"),
    path("workbench/", workbench, name="workbench"),
    path("portal/", include("zhengxie.workflow.urls")),
    path("accounts/", include("zhengxie.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("zhengxie.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script=) instead of inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # No ReDoc page: it needs inline styles and loads its logo from cdn.redoc.ly, which the CSP (and an
    # intranet) refuses; /api/docs/ shows the same schema.
]

# A 404 under /api/ answers JSON like the rest of the API; elsewhere the Chinese page.
handler404 = "zhengxie.views.not_found"
