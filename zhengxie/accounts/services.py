import secrets
import string

from django.db import transaction

from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.services import audit_record

from .models import Department, Role, User

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
) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when none is given)."""
    username = (username or "").strip()
    if not username:
        raise InvalidInput("用户名不能为空。")
    if role not in Role.values:
        raise InvalidInput(f"未知角色：{role}。")
    if role == Role.DEPARTMENT and department is None:
        raise InvalidInput("承办单位账号必须指定所属单位。")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(f"用户名 {username} 已存在。")
    password = password or generate_password()
    user = User(username=username, role=role, name=name, email=email, phone=phone, department=department)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user_create", target=user, role=role)
    return user, password
