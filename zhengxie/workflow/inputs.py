"""Input checks shared by every app's services: uploaded files against the policy, dates from forms."""

import zipfile
from datetime import date

from .errors import InvalidInput
from .selectors import policy_current

# Reply letters: the unit's stamped letter as PDF, Word or a photo of it.
LETTER_EXTENSIONS = frozenset({"pdf", "doc", "docx", "jpg", "jpeg", "png"})


# A stored file name (the attachment's `name` column and the path under MEDIA_ROOT) never gets longer.
FILE_NAME_MAX = 80


def file_name(uploaded) -> str:
    return uploaded.name.rsplit("/", 1)[-1]


def safe_file_name(name: str, max_length: int = FILE_NAME_MAX) -> str:
    """The base name without control characters or path parts, cut to `max_length` keeping the extension."""
    from zhengxie.text import clean_text

    name = clean_text(name.replace("\\", "/").rsplit("/", 1)[-1]).strip() or "file"
    if len(name) <= max_length:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:max_length]
    return stem[: max_length - len(extension) - 1] + "." + extension


def check_upload(uploaded, *, label: str, extensions=None) -> None:
    """Type (by extension and by content), size (from the policy) and name; raises InvalidInput with a
    Chinese message. A name too long to store is shortened in place (extension kept), so callers that
    save `file_name(uploaded)` after this call store the safe name."""
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
    check_content(uploaded, extension=extension, label=label)
    uploaded.name = safe_file_name(name)


# --- content (magic bytes) -----------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# Extension → the leading bytes its content must start with (any of them).
MAGIC = {
    "pdf": (b"%PDF",),
    "doc": (OLE,),
    "xls": (OLE,),
    "ppt": (OLE,),
    "wps": (OLE,),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "zip": (ZIP, b"PK\x05\x06"),
    "rar": (b"Rar!\x1a\x07",),
    "7z": (b"7z\xbc\xaf\x27\x1c",),
}
# Office Open XML: a zip holding [Content_Types].xml and the application's folder.
OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
TEXT = {"txt", "csv"}
EXECUTABLE = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")


def _read_all(uploaded) -> bytes:
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return data


def _head(uploaded, size: int = 16) -> bytes:
    uploaded.seek(0)
    data = uploaded.read(size)
    uploaded.seek(0)
    return data


def content_matches(uploaded, extension: str) -> bool:
    """Whether the file's content is what its extension says (for the types we know)."""
    head = _head(uploaded)
    extension = extension.lower()
    if extension in MAGIC:
        return head.startswith(MAGIC[extension])
    if extension in OOXML:
        if not head.startswith(ZIP):
            return False
        try:
            uploaded.seek(0)
            with zipfile.ZipFile(uploaded) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            uploaded.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(OOXML[extension]) for n in names)
    if extension == "webp":
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    if extension in ("heic", "heif"):
        return head[4:8] == b"ftyp"
    if extension in TEXT:
        data = _read_all(uploaded)
        if b"\x00" in data:
            return False
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                data.decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        return False
    # A type we have no signature for: refuse only what is plainly a program.
    return not head.startswith(EXECUTABLE)


def check_content(uploaded, *, extension: str, label: str) -> None:
    """Raises InvalidInput when the content is not the type the extension claims."""
    if not content_matches(uploaded, extension):
        raise InvalidInput(f"{label}的内容与文件类型“{extension}”不符，请上传真实的 {extension} 文件。")


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
