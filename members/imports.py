"""The member roster file (API.md "Operations", `import_members`): its columns and its row checks.

Reading files and the generic cell checks live in zhengxie.accounts.imports (departments use them
too); this module knows the member columns. It never writes: members.services.members_import does.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from zhengxie.accounts.imports import (
    PASSWORD_COLUMN,
    RowError,
    Table,
    check_columns,
    check_password,
    duplicate_errors,
    parse_date,
    parse_email,
    parse_mobile,
    parse_username,
    users_by_username,
)
from zhengxie.accounts.models import Role

from .models import Member

MEMBER_COLUMNS = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "党派",
    "界别",
    "专委会",
    "委员职务",
    "工作单位及职务",
    "手机",
    "邮箱",
    "用户名",
)
GENDERS = {label: value for value, label in Member.Gender.choices}
POSITIONS = {label: value for value, label in Member.Position.choices}
COMMITTEE_SEPARATORS = re.compile(r"[、，,]")
COMMITTEE_JOINER = "、"


@dataclass
class MemberRow:
    number: int
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date | None
    party: str
    sector: str
    committees: list[str]
    position: str
    employer: str
    mobile: str
    email: str
    username: str
    password: str
    values: dict[str, Any] = field(repr=False)


def split_committees(text: str) -> list[str]:
    names = []
    for part in COMMITTEE_SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part not in names:
            names.append(part)
    return names


def _parse_row(row, fail) -> MemberRow | None:
    text = row.text
    name = text("姓名")
    if not name:
        fail("姓名不能为空")
    elif len(name) > 50:
        fail("姓名不能超过50个字")

    gender = ""
    if text("性别"):
        gender = GENDERS.get(text("性别"), "")
        if not gender:
            fail(f"性别只能填“男”或“女”：{text('性别')}")

    position = Member.Position.MEMBER
    if text("委员职务"):
        position = POSITIONS.get(text("委员职务"), "")
        if not position:
            fail(f"委员职务只能是 {'/'.join(POSITIONS)}：{text('委员职务')}")

    birth_date = None
    try:
        birth_date = parse_date(row.values.get("出生日期"))
    except ValueError as exc:
        fail(f"出生日期{exc}")
    else:
        if birth_date and not (dt.date(1900, 1, 1) <= birth_date <= timezone.localdate()):
            fail(f"出生日期不合理：{birth_date:%Y-%m-%d}")

    mobile = email = username = ""
    try:
        mobile = parse_mobile(row.values.get("手机"))
    except ValueError as exc:
        fail(str(exc))
    try:
        email = parse_email(row.values.get("邮箱"))
    except ValueError as exc:
        fail(str(exc))
    try:
        username = parse_username(row.values.get("用户名"))
    except ValueError as exc:
        fail(str(exc))

    committees = split_committees(text("专委会"))
    for label, value, limit in (
        ("民族", text("民族"), 20),
        ("党派", text("党派"), 100),
        ("界别", text("界别"), 100),
        ("工作单位及职务", text("工作单位及职务"), 200),
        *(("专委会", c, 100) for c in committees),
    ):
        if len(value) > limit:
            fail(f"{label}不能超过{limit}个字：{value}")
    return MemberRow(
        number=row.number,
        name=name,
        gender=gender,
        ethnicity=text("民族"),
        birth_date=birth_date,
        party=text("党派"),
        sector=text("界别"),
        committees=committees,
        position=position,
        employer=text("工作单位及职务"),
        mobile=mobile,
        email=email,
        username=username,
        password=text(PASSWORD_COLUMN),
        values=row.values,
    )


def check_member_rows(table: Table) -> tuple[list[MemberRow], list[RowError]]:
    """Parse every row and list every bad one, including clashes with accounts already in the database."""
    check_columns(table, MEMBER_COLUMNS)
    parsed: list[MemberRow] = []
    errors: list[RowError] = []
    for row in table.rows:
        bad = len(errors)

        def fail(reason, _row=row):
            errors.append(RowError(_row.number, reason))

        member_row = _parse_row(row, fail)
        if len(errors) == bad:
            parsed.append(member_row)
    errors += duplicate_errors(table.rows, "用户名", "用户名")

    users = users_by_username(r.username for r in parsed)
    for row in parsed:
        user = users.get(row.username.lower())
        if user is None:
            if row.password and (reason := check_password(row.password, username=row.username)):
                errors.append(RowError(row.number, reason))
        elif user.role != Role.MEMBER:
            errors.append(
                RowError(row.number, f"用户名 {row.username} 已被{user.get_role_display()}账号使用")
            )
    return parsed, errors
