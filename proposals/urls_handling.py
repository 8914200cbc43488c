app_name = "proposals_handling"

urlpatterns: list = []
