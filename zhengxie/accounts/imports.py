"""Reading and checking roster spreadsheets (.xlsx / .csv), shared by the import commands and the admin.

Nothing here writes to the database: a file is read into numbered rows, every row is checked, and the
whole list of bad rows comes back at once so the operator can fix the file in one go. The services
that write (`departments_import` in accounts, `members_import` in members) run these checks inside
their transaction and refuse the whole file when any row is bad.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from zhengxie.exports import FORMULA_STARTS, cell
from zhengxie.text import clean_text
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.inputs import content_matches

from .models import Role, User

PASSWORD_COLUMN = "初始密码"
DEPARTMENT_COLUMNS = ("单位名称", "单位代码", "联系人", "手机", "邮箱", "用户名")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# A CSV saved by Excel's plain "CSV" option on a Chinese Windows machine is GB18030/GBK.
_FALLBACK_ENCODINGS = ("gb18030",)


class TableError(InvalidInput):
    """The file as a whole cannot be read (wrong type, wrong encoding, missing columns)."""


@dataclass(frozen=True)
class RowError:
    number: int  # the spreadsheet row number; the header is row 1
    reason: str

    def __str__(self) -> str:
        return f"第{self.number}行：{self.reason}"


class ImportRejected(InvalidInput):
    """At least one row is bad; nothing was imported. `errors` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        self.errors = merge_errors(errors)
        super().__init__(
            f"共 {len(self.errors)} 行有错误，未导入任何数据：\n" + "\n".join(str(e) for e in self.errors)
        )


@dataclass
class SourceRow:
    number: int
    values: dict[str, Any]

    def text(self, column: str) -> str:
        return cell_text(self.values.get(column))


@dataclass
class Table:
    headers: list[str]
    rows: list[SourceRow]


@dataclass
class RowOutcome:
    """What an import did with one row: `new`, `update` or `skip` (unchanged)."""

    number: int
    action: str
    instance: Any
    values: dict[str, Any]


@dataclass
class Credential:
    """What a new account's owner needs to sign in: a generated password, or an activation link."""

    username: str
    name: str
    password: str = ""
    activation_url: str = ""
    expires_on: Any = None


def credential_rows(credentials: list[Credential], *, name_label: str = "姓名") -> list[list]:
    """The sheet staff hand out (the command's --credentials-out file and the admin's download)."""
    if any(c.activation_url for c in credentials):
        rows = [["用户名", name_label, "激活链接", "有效期至"]]
        return rows + [
            [c.username, cell(c.name), c.activation_url, f"{c.expires_on:%Y-%m-%d}" if c.expires_on else ""]
            for c in credentials
        ]
    return [["用户名", name_label, PASSWORD_COLUMN]] + [
        [c.username, cell(c.name), c.password] for c in credentials
    ]


@dataclass
class ImportReport:
    noun: str  # 委员 / 承办单位, used in the summary lines
    outcomes: list[RowOutcome] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)
    # Reference entries made on the way, by kind: {"党派": ["致公党"], ...}
    created_refs: dict[str, list[str]] = field(default_factory=dict)

    def _names(self, action: str) -> list[str]:
        return [str(o.instance) for o in self.outcomes if o.action == action]

    @property
    def created(self) -> list[str]:
        return self._names("new")

    @property
    def updated(self) -> list[str]:
        return self._names("update")

    @property
    def unchanged(self) -> int:
        return sum(1 for o in self.outcomes if o.action == "skip")

    def summary_lines(self) -> list[str]:
        lines = [
            f"新建{self.noun} {len(self.created)} 个"
            + (f"：{'、'.join(self.created)}" if self.created else ""),
            f"更新{self.noun} {len(self.updated)} 个"
            + (f"：{'、'.join(self.updated)}" if self.updated else ""),
            f"未变化 {self.unchanged} 个",
        ]
        for kind, names in self.created_refs.items():
            if names:
                lines.append(f"新建{kind} {len(names)} 个：{'、'.join(names)}")
        return lines


# --- reading files ------------------------------------------------------------------------------


def read_table(source, *, name: str | None = None) -> Table:
    """Read a .xlsx or .csv file (a path, an uploaded file or bytes) into numbered rows."""
    if isinstance(source, str | Path):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TableError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        name = name or getattr(source, "name", "") or ""
        data = source.read()
    suffix = Path(name or "").suffix.lower()
    if suffix in (".xlsx", ".csv") and not content_matches(io.BytesIO(data), suffix[1:]):
        raise TableError(f"文件内容不是 {suffix} 格式，请上传真实的 {suffix} 文件。")
    if suffix == ".xlsx":
        return table_from_grid(xlsx_grid(data))
    if suffix == ".csv":
        return table_from_grid(csv_grid(data))
    raise TableError("只支持 .xlsx 和 .csv 文件（.xls 请先在 Excel 中另存为 .xlsx）。")


def xlsx_grid(data: bytes) -> list[list[Any]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise TableError("无法读取 Excel 文件，请确认它是 .xlsx 格式且没有损坏。") from exc
    try:
        return [list(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused with a hint on how to save it right."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in _FALLBACK_ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        raise TableError(
            "CSV 文件不是 UTF-8 编码（看起来是 GBK/GB18030，Excel 默认的“CSV（逗号分隔）”就是这种）。"
            "请在 Excel 中选择“另存为 → CSV UTF-8（逗号分隔）”后重新导入，或直接导入 .xlsx 文件。"
        )
    raise TableError("CSV 文件不是 UTF-8 编码，无法识别。请另存为“CSV UTF-8”或 .xlsx 后重新导入。")


def csv_grid(data: bytes) -> list[list[Any]]:
    text = decode_csv(data)
    try:
        # Blank lines are kept as empty rows so row numbers match what the operator sees.
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise TableError(f"CSV 文件格式有误：{exc}") from exc


def table_from_grid(grid: list[list[Any]]) -> Table:
    """First row is the header (row 1); data rows keep their spreadsheet numbers; blank rows are dropped."""
    if not grid:
        raise TableError("文件是空的，没有表头。")
    headers = [cell_text(clean_cell(h)) for h in grid[0]]
    rows = []
    for index, raw in enumerate(grid[1:], start=2):
        values = {h: clean_cell(raw[i] if i < len(raw) else None) for i, h in enumerate(headers) if h}
        if all(cell_text(v) == "" for v in values.values()):
            continue
        rows.append(SourceRow(number=index, values=values))
    return Table(headers=[h for h in headers if h], rows=rows)


def check_columns(table: Table, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in table.headers]
    if missing:
        raise TableError(
            f"缺少列：{'、'.join(missing)}。第一行应为表头：{'、'.join(required)}[、{PASSWORD_COLUMN}]。"
        )
    if not table.rows:
        raise TableError("文件中没有数据行。")


# --- cell values ----------------------------------------------------------------------------------


def clean_cell(value: Any) -> Any:
    """A cell as it enters: control characters removed (zhengxie.text), and the quote our exports put
    before a formula-like text (zhengxie.exports.cell) taken off, so an exported file imports back."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]
    return value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()  # an Excel date cell
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_mobile(value: Any) -> str:
    """'' or an 11-digit mainland mobile; spaces and dashes that people type are tolerated."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"[\s\-]", "", cell_text(value))
    if text.startswith("+86"):
        text = text[3:]
    if text and not MOBILE_RE.match(text):
        raise ValueError(f"手机号码格式不正确（应为11位手机号，如13812345678）：{cell_text(value)}")
    return text


def parse_email(value: Any) -> str:
    text = cell_text(value)
    if text:
        try:
            validate_email(text)
        except ValidationError as exc:
            raise ValueError(f"邮箱格式不正确：{text}") from exc
    return text


def parse_date(value: Any) -> dt.date | None:
    """1970-05-01, 1970/5/1, 1970.05.01, 1970年5月1日, an Excel date cell or an Excel serial number."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell formatted as a number: days since 1899-12-30 (Excel's epoch, leap bug included).
        if 1 <= value < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        raise ValueError(f"格式不正确：{cell_text(value)}")
    text = cell_text(value)
    text = re.sub(r"\s+0{1,2}:0{1,2}(:0{1,2})?$", "", text)  # '1970-05-01 00:00:00' from a CSV export
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"格式不正确（应如 1970-05-01、1970/5/1 或 1970.05.01）：{text}")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValueError(f"不存在：{text}") from exc


def parse_username(value: Any) -> str:
    text = cell_text(value)
    if not text:
        raise ValueError("用户名不能为空")
    if len(text) > 150:
        raise ValueError("用户名不能超过150个字符")
    try:
        UnicodeUsernameValidator()(text)
    except ValidationError as exc:
        raise ValueError(f"用户名只能包含字母、数字和 @/./+/-/_：{text}") from exc
    return text


def check_password(password: str, *, username: str = "") -> str | None:
    """A reason when the given initial password is too weak, else None."""
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as exc:
        return "初始密码不符合要求：" + "；".join(exc.messages)
    return None


def users_by_username(usernames) -> dict[str, User]:
    """Existing users keyed by lower-cased username (user_create refuses names differing only in case)."""
    wanted = {u.lower() for u in usernames if u}
    if not wanted:
        return {}
    found = (
        User.objects.annotate(lname=Lower("username")).filter(lname__in=wanted).select_related("department")
    )
    return {u.username.lower(): u for u in found}


def duplicate_errors(rows: list[SourceRow], column: str, label: str) -> list[RowError]:
    """Later rows repeating a value (compared case-insensitively) of an earlier row."""
    first_seen: dict[str, int] = {}
    errors = []
    for row in rows:
        key = row.text(column).lower()
        if not key:
            continue
        if key in first_seen:
            errors.append(RowError(row.number, f"{label} {row.text(column)} 与第{first_seen[key]}行重复"))
        else:
            first_seen[key] = row.number
    return errors


def merge_errors(errors: list[RowError]) -> list[RowError]:
    """One line per bad row, its reasons joined, in row order."""
    by_row: dict[int, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.number, []).append(error.reason)
    return [RowError(number, "；".join(reasons)) for number, reasons in sorted(by_row.items())]


def write_credentials(path, credentials: list[Credential], *, name_label: str = "姓名") -> None:
    """The generated initial passwords or activation links, for the operator to hand out; readable by the
    owner only."""
    import os

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise TableError(f"密码文件 {path} 已存在；为免覆盖之前的初始密码，请换一个文件名。") from exc
    except OSError as exc:
        raise TableError(f"无法写入密码文件 {path}：{exc.strerror or exc}") from exc
    # utf-8-sig so that Excel shows the Chinese names correctly.
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(credential_rows(credentials, name_label=name_label))


# --- departments ----------------------------------------------------------------------------------


@dataclass
class DepartmentRow:
    number: int
    name: str
    code: str
    contact: str
    phone: str
    email: str
    username: str
    password: str
    values: dict[str, Any]


def check_department_rows(table: Table) -> tuple[list[DepartmentRow], list[RowError]]:
    """Parse every row of a department file and list every bad one (also against the database)."""
    check_columns(table, DEPARTMENT_COLUMNS)
    parsed: list[DepartmentRow] = []
    errors: list[RowError] = []
    for row in table.rows:
        bad = len(errors)

        def fail(reason, _row=row):
            errors.append(RowError(_row.number, reason))

        name, code, contact = row.text("单位名称"), row.text("单位代码"), row.text("联系人")
        if not name:
            fail("单位名称不能为空")
        elif len(name) > 100:
            fail("单位名称不能超过100个字")
        if not code:
            fail("单位代码不能为空")
        elif len(code) > 50:
            fail("单位代码不能超过50个字符")
        if len(contact) > 50:
            fail("联系人不能超过50个字")
        phone = email = username = ""
        try:
            phone = parse_mobile(row.values.get("手机"))
        except ValueError as exc:
            fail(str(exc))
        try:
            email = parse_email(row.values.get("邮箱"))
        except ValueError as exc:
            fail(str(exc))
        if row.text("用户名"):  # a department may be listed before it gets a portal account
            try:
                username = parse_username(row.values.get("用户名"))
            except ValueError as exc:
                fail(str(exc))
        if len(errors) == bad:
            parsed.append(
                DepartmentRow(
                    number=row.number,
                    name=name,
                    code=code,
                    contact=contact,
                    phone=phone,
                    email=email,
                    username=username,
                    password=row.text(PASSWORD_COLUMN),
                    values=row.values,
                )
            )
    errors += duplicate_errors(table.rows, "单位代码", "单位代码")
    errors += duplicate_errors(table.rows, "用户名", "用户名")

    users = users_by_username(r.username for r in parsed)
    for row in parsed:
        user = users.get(row.username.lower())
        if not row.username:
            continue
        if user is None:
            if row.password and (reason := check_password(row.password, username=row.username)):
                errors.append(RowError(row.number, reason))
        elif user.role != Role.DEPARTMENT:
            errors.append(
                RowError(row.number, f"用户名 {row.username} 已被{user.get_role_display()}账号使用")
            )
        elif user.department is not None and user.department.code != row.code:
            errors.append(
                RowError(row.number, f"用户名 {row.username} 已属于承办单位 {user.department.name}")
            )
    return parsed, errors
