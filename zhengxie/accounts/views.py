from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .activation import activation_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    # A signed-in user who opens the login page goes straight to their own area.
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); the login page then confirms the sign-out."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "您已安全退出。")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class ActivateView(auth_views.PasswordResetConfirmView):
    """An imported member's first sign-in: the link from the roster import sets the account's password.

    Django's reset-confirm flow (the token leaves the address bar before the form shows) with the
    activation token; an account that already has a password, or an expired link, gets the 无效 page."""

    template_name = "accounts/activate.html"
    token_generator = activation_token
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # Only for accounts still waiting for their first password: never a back door to reset one.
        return user if user is not None and not user.has_usable_password() else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已设置，请用新密码登录。")
        return response
