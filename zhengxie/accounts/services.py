import hashlib
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.services import audit_record

from .models import ApiToken, Department, Role, User

_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 12) -> str:
    """A random initial password with letters and digits (no look-alike trouble for phones)."""
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    role: str,
    name: str = "",
    password: str | None = None,
    email: str = "",
    phone: str = "",
    department: Department | None = None,
    activate_later: bool = False,
) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when none is given).

    With activate_later and no password the account gets an unusable password and "" is returned: no
    hash is computed (the owner sets a password through accounts.activation's link)."""
    username = (username or "").strip()
    if not username:
        raise InvalidInput("用户名不能为空。")
    if role not in Role.values:
        raise InvalidInput(f"未知角色：{role}。")
    if role == Role.DEPARTMENT and department is None:
        raise InvalidInput("承办单位账号必须指定所属单位。")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"用户名 {username} 已存在。")
    user = User(username=username, role=role, name=name, email=email, phone=phone, department=department)
    if password is None and activate_later:
        password = ""
        user.set_unusable_password()
    else:
        password = password or generate_password()
        user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user_create", target=user, role=role)
    return user, password


# --- roster imports (the commands and the admin both come here) ----------------------------------


@transaction.atomic
def user_profile_update(*, actor, user: User, name: str, email: str, phone: str) -> bool:
    """Bring an account's contact details in line with the roster; True when something changed.

    The password is never touched: re-importing a file must not lock anybody out."""
    changes = {
        field: value
        for field, value in (("name", name), ("email", email), ("phone", phone))
        if getattr(user, field) != value
    }
    if not changes:
        return False
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=list(changes))
    audit_record(actor=actor, action="user_profile_update", target=user, fields=sorted(changes))
    return True


@transaction.atomic
def department_upsert(
    *, actor, code: str, name: str, contact: str = "", phone: str = "", email: str = ""
) -> tuple[Department, str]:
    """Create or update the 承办单位 with this code; returns it and `new`, `update` or `skip`."""
    from .imports import MOBILE_RE

    if not code or not name:
        raise InvalidInput("单位名称和单位代码不能为空。")
    if phone and not MOBILE_RE.match(phone):
        raise InvalidInput(f"手机号码格式不正确：{phone}")
    wanted = {"name": name, "contact": contact, "phone": phone, "email": email}
    department = Department.objects.select_for_update().filter(code=code).first()
    if department is None:
        department = Department.objects.create(code=code, **wanted)
        audit_record(actor=actor, action="department_create", target=department, code=code)
        return department, "new"
    changed = [f for f, v in wanted.items() if getattr(department, f) != v]
    if not changed:
        return department, "skip"
    for f in changed:
        setattr(department, f, wanted[f])
    department.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="department_update", target=department, fields=changed)
    return department, "update"


def departments_import(*, actor, table, dry_run: bool = False):
    """Import a department file (API.md "Operations"): all rows or none, keyed by 单位代码.

    Accounts are made for new 用户名 with role `department`; existing accounts keep their passwords.
    With dry_run everything is done and then rolled back, which gives the admin its exact preview."""
    # Local imports keep this block append-only; imports.py never imports services.
    from .imports import (
        Credential,
        ImportRejected,
        ImportReport,
        RowOutcome,
        check_department_rows,
        users_by_username,
    )
    from .permissions import require_role

    if actor is not None:
        require_role(actor, Role.STAFF)
    report = ImportReport(noun="承办单位")
    with transaction.atomic():
        rows, errors = check_department_rows(table)
        if errors:
            raise ImportRejected(errors)
        users = users_by_username(r.username for r in rows)
        for row in rows:
            department, action = department_upsert(
                actor=actor,
                code=row.code,
                name=row.name,
                contact=row.contact,
                phone=row.phone,
                email=row.email,
            )
            account_name = row.contact or row.name
            user = users.get(row.username.lower())
            if not row.username:
                pass  # no portal account yet
            elif user is None:
                user, password = user_create(
                    actor=actor,
                    username=row.username,
                    role=Role.DEPARTMENT,
                    name=account_name,
                    password=row.password or None,
                    email=row.email,
                    phone=row.phone,
                    department=department,
                )
                if not row.password:
                    report.credentials.append(Credential(user.username, department.name, password))
                if action == "skip":
                    action = "update"  # a new portal account for a known department
            elif (
                user_profile_update(
                    actor=actor, user=user, name=account_name, email=row.email, phone=row.phone
                )
                and action == "skip"
            ):
                action = "update"
            report.outcomes.append(RowOutcome(row.number, action, department, row.values))
        if report.created or report.updated:
            audit_record(
                actor=actor,
                action="departments_import",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


# --- API tokens ---------------------------------------------------------------------------------------


def api_token_digest(key: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to keep the stored copy useless."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, device: str = "") -> tuple[ApiToken, str]:
    """A new token for one sign-in (each device its own); returns the row and the token, which is shown
    this once and never stored. The account's expired tokens are cleared on the way."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=api_token_digest(key),
        prefix=key[:8],
        device=(device or "")[:200],
        password_stamp=user.get_session_auth_hash(),
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> None:
    """Log out one device: its token stops working at once."""
    deleted, _ = ApiToken.objects.filter(pk=token.pk, user=actor).delete()
    if deleted:
        audit_record(actor=actor, action="api_token_revoke", target=actor, prefix=token.prefix)


@transaction.atomic
def api_tokens_revoke_all(*, actor) -> int:
    """Log out every device of the account."""
    deleted, _ = ApiToken.objects.filter(user=actor).delete()
    audit_record(actor=actor, action="api_tokens_revoke_all", target=actor, count=deleted)
    return deleted


def department_save(*, actor, department: Department, created: bool, fields=()) -> Department:
    """Staff add or correct one 承办单位 in the admin (imports use department_upsert); audited."""
    from zhengxie.workflow.services import reference_save

    return reference_save(
        actor=actor,
        obj=department,
        created=created,
        fields=fields,
        action="department_admin_create" if created else "department_admin_update",
    )
