"""First sign-in by activation link: an imported account gets no password (no hash to compute at import)
and its owner sets one at /accounts/activate/<uid>/<token>/.

The token is Django's password-reset HMAC with its own salt and lifetime (ACCOUNT_ACTIVATION_DAYS): it
is bound to the account's current (unusable) password, so it works once — setting a password ends it —
and staff can issue a fresh link at any time (admin → 用户 → 生成激活链接) for one that expired or was lost.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "zhengxie.accounts.activation.ActivationTokenGenerator"

    def check_token(self, user, token):
        """As the password-reset check, with the activation lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= settings.ACCOUNT_ACTIVATION_DAYS * 24 * 3600


activation_token = ActivationTokenGenerator()


def activation_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/activate/{uid}/{activation_token.make_token(user)}/"


def activation_url(user) -> str:
    return settings.SITE_URL.rstrip("/") + activation_path(user)


def expires_on():
    """The last day a link made now still works (local date), for the sheet staff hand out."""
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=settings.ACCOUNT_ACTIVATION_DAYS)
