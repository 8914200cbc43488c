app_name = "proposals_stats"

urlpatterns: list = []
