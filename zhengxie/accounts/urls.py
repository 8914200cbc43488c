from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("activate/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
