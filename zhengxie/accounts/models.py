from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Department(models.Model):
    """承办单位: a government department, court, procuratorate or state firm that handles work."""

    name = models.CharField("单位名称", max_length=100)
    code = models.CharField("单位代码", max_length=50, unique=True)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    email = models.EmailField("邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", "机关工作人员"
    LEADER = "leader", "领导"
    MEMBER = "member", "政协委员"
    DEPARTMENT = "department", "承办单位"


class ZhengxieUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Every person who signs in. The role decides the area they land in and what they may do."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.MEMBER)
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机", max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="所属承办单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects = ZhengxieUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="department") | models.Q(department__isnull=False),
                name="department_user_has_department",
            )
        ]

    def save(self, *args, **kwargs):
        # Staff and leaders work in the admin; the flag follows the role so it cannot drift.
        self.is_staff = self.is_superuser or self.role in (Role.STAFF, Role.LEADER)
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        # A new password (set_password on any path: the password page, the admin, a service) or a
        # deactivated account ends every API token of the account.
        revoke_tokens = self.pk is not None and (self._password is not None or not self.is_active)
        super().save(*args, **kwargs)
        if revoke_tokens:
            self.api_tokens.all().delete()

    @property
    def effective_role(self) -> str:
        """A superuser is staff, whatever the stored role says."""
        return Role.STAFF if self.is_superuser else self.role

    @property
    def is_office_staff(self) -> bool:
        return self.is_authenticated and self.effective_role == Role.STAFF

    @property
    def is_leader(self) -> bool:
        return self.is_authenticated and self.effective_role == Role.LEADER

    @property
    def is_member_user(self) -> bool:
        return self.is_authenticated and self.effective_role == Role.MEMBER

    @property
    def is_department_user(self) -> bool:
        return self.is_authenticated and self.effective_role == Role.DEPARTMENT

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    def __str__(self):
        return self.display_name


class ApiToken(models.Model):
    """One API sign-in (one device): only the SHA-256 of the token is stored. It ends at `expires_at`, on
    logout, when the account's password changes (any path) and when the account is deactivated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=8)
    device = models.CharField("设备", max_length=200, blank=True)
    # The account's session hash (derived from its password hash) when the token was issued: a password
    # changed by any path, even a bare UPDATE, no longer matches.
    password_stamp = models.CharField(max_length=128)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
