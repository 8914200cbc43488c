"""The door QR code for meeting check-in: a signed URL rendered as inline SVG (no internet needed)."""

from urllib.parse import urlencode

import segno

from .services import checkin_token


def checkin_path(meeting) -> str:
    return f"/meetings/{meeting.pk}/check-in/?{urlencode({'t': checkin_token(meeting)})}"


def qr_svg(url: str, scale: int = 6) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff")
