"""Input checks shared by every app's services: uploaded files against the policy, dates from forms."""

from datetime import date

from .errors import InvalidInput
from .selectors import policy_current

# Reply letters: the unit's stamped letter as PDF, Word or a photo of it.
LETTER_EXTENSIONS = frozenset({"pdf", "doc", "docx", "jpg", "jpeg", "png"})


def file_name(uploaded) -> str:
    return uploaded.name.rsplit("/", 1)[-1]


def check_upload(uploaded, *, label: str, extensions=None) -> None:
    """Type (by extension) and size (from the policy); raises InvalidInput with a Chinese message."""
    policy = policy_current()
    allowed = set(extensions) if extensions is not None else policy.allowed_extensions
    name = file_name(uploaded)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed:
        raise InvalidInput(
            f"不支持的{label}类型“{extension or '无扩展名'}”，{label}只能是 {'、'.join(sorted(allowed))} 文件。"
        )
    if uploaded.size == 0:
        raise InvalidInput(f"{label}是空文件。")
    if uploaded.size > policy.attachment_max_mb * 1024 * 1024:
        raise InvalidInput(f"{label}不能超过{policy.attachment_max_mb}MB。")


def parse_date(value, label: str, *, default: date | None = None) -> date:
    """A date object or a YYYY-MM-DD string; empty gives `default` (or is an error without one)."""
    if value in (None, ""):
        if default is not None:
            return default
        raise InvalidInput(f"请填写{label}。")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD。") from None
