"""Delivery channels besides the in-app notice: e-mail through Django's mail backend, SMS through a
pluggable backend (a logging one by default, an HTTP gateway configured by settings)."""

import json
import logging
import urllib.request
from urllib.error import URLError

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ChannelError(Exception):
    """A delivery failed; the sender records it and retries later."""


def send_email(*, address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any SMTP failure is retried the same way
        raise ChannelError(f"邮件发送失败：{exc}") from exc


class LoggingSmsBackend:
    """Writes the message to the log: the default until a gateway is configured."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class HttpSmsBackend:
    """POSTs JSON {"key", "phone", "text"} to SMS_GATEWAY_URL; any non-2xx answer is a failure.

    SMS_TEMPLATE (optional, e.g. "【某市政协】{text}") wraps the text as the gateway's signed template.
    """

    def __init__(self):
        self.url = settings.SMS_GATEWAY_URL
        self.key = settings.SMS_GATEWAY_KEY
        self.template = settings.SMS_TEMPLATE or "{text}"
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def send(self, *, phone: str, text: str) -> None:
        if not self.url:
            raise ChannelError("未配置短信网关地址 SMS_GATEWAY_URL。")
        text = self.template.format(text=text)
        payload = json.dumps({"key": self.key, "phone": phone, "text": text}, ensure_ascii=False).encode(
            "utf-8"
        )
        request = urllib.request.Request(
            self.url, data=payload, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                if not 200 <= response.status < 300:
                    raise ChannelError(f"短信网关返回 {response.status}")
        except URLError as exc:
            raise ChannelError(f"短信网关不可用：{exc}") from exc
        except OSError as exc:
            raise ChannelError(f"短信网关不可用：{exc}") from exc


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, text: str) -> None:
    try:
        sms_backend().send(phone=phone, text=text)
    except ChannelError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ChannelError(f"短信发送失败：{exc}") from exc
