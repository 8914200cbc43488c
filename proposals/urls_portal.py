app_name = "proposals_portal"

urlpatterns: list = []
