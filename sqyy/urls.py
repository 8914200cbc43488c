app_name = "sqyy"

urlpatterns: list = []
