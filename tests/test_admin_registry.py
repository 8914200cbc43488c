"""The admin is no side door for writes (issue 12, Leaks): every model admin of the platform either writes
through a service that records an audit row, or is read-only. Two checks over admin.site._registry:

- by construction: an admin granting add/change overrides save_model (and save_formset for editable
  inlines), one granting delete overrides delete_model and delete_queryset — with the platform's code;
- by doing it: on the demo data, every change form a staff superuser can open is posted back as a browser
  would, with one text field changed; whenever the row changed, an audit row about it must have appeared.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import RequestFactory

from conftest import make_user
from zhengxie.accounts.backends import PLATFORM_APP_LABELS
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import NotificationPreference
from zhengxie.workflow.models import AuditEntry, HandlingPolicy

pytestmark = pytest.mark.django_db

# Admins of third-party apps, each looked at: auth groups are unused (roles give the permissions, see
# accounts.backends); django-axes lockouts are its own records (deleting one unlocks an account).
THIRD_PARTY = {
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}
OUR_MODULES = tuple(
    f"{label}."
    for label in ("members", "proposals", "sqyy", "consultations", "deliberations", "activities", "zhengxie")
)


@pytest.fixture
def superuser(db):
    return make_user("root", Role.STAFF, is_superuser=True)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _ours(cls, name) -> bool:
    """Is `name` defined by the platform's code somewhere in the admin's class hierarchy (not Django's)?"""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__module__.startswith(OUR_MODULES)
    return False


def _platform_admins():
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PLATFORM_APP_LABELS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def test_every_registered_admin_is_known():
    others = {
        m._meta.label_lower for m in admin.site._registry if m._meta.app_label not in PLATFORM_APP_LABELS
    }
    assert others == THIRD_PARTY, "a new third-party admin: decide whether it may write, then list it here"


def test_every_writing_admin_goes_through_a_service(superuser):
    request = _request(superuser)
    problems = []
    for model, model_admin in _platform_admins():
        cls, label = type(model_admin), model._meta.label
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            if not _ours(cls, "save_model"):
                problems.append(f"{label}: may add/change but save_model is Django's plain save")
            for inline in model_admin.get_inline_instances(request):
                writable_fields = set(inline.get_fields(request)) - set(inline.get_readonly_fields(request))
                editable = (
                    inline.has_add_permission(request, None)
                    or (inline.can_delete and inline.has_delete_permission(request, None))
                    or (inline.has_change_permission(request, None) and writable_fields)
                )
                if editable and not _ours(cls, "save_formset"):
                    problems.append(f"{label}: inline {type(inline).__name__} saves without a service")
        if model_admin.has_delete_permission(request):
            for name in ("delete_model", "delete_queryset"):
                if not _ours(cls, name):
                    problems.append(f"{label}: may delete but {name} is Django's")
    assert not problems, "\n".join(problems)


class _Form(HTMLParser):
    """The fields of the admin change form as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.text_inputs: list[str] = []
        self._select = self._textarea = None
        self._in_form = False

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value") or "")
            if kind == "text" and "-" not in name:
                self.text_inputs.append(name)
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")
            if "-" not in name:
                self.text_inputs.append(name)
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            pass

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


class _Options(HTMLParser):
    """Selected options of every <select> (HTMLParser gives option attributes only at the start tag)."""

    def __init__(self):
        super().__init__()
        self.selected: dict[str, list[str]] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select" and a.get("name"):
            self._select = a["name"]
            self.selected.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in a:
            self.selected[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _post_data(html: str, model) -> tuple[dict, str | None]:
    form, options = _Form(), _Options()
    form.feed(html)
    options.feed(html)
    data = dict(form.data)
    for name, values in options.selected.items():
        if name in data:
            data[name] = values
    text_fields = {
        f.name
        for f in model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField") and not f.choices and f.name != "password"
    }
    changed = next((n for n in form.text_inputs if n in text_fields), None)
    if changed:
        data[changed] = [(data[changed][0] if data[changed] else "") + "改"]
    return {k: v if len(v) != 1 else v[0] for k, v in data.items()}, changed


def _row(model, pk):
    obj = model._default_manager.filter(pk=pk).first()
    return None if obj is None else model_to_dict(obj)


def test_no_admin_change_form_writes_without_an_audit_row(client, superuser):
    call_command("seed_demo")
    if not HandlingPolicy.objects.exists():  # the demo runs on the built-in defaults
        HandlingPolicy.objects.create(name="本市办理规定")
    NotificationPreference.objects.get_or_create(user=superuser)
    request = _request(superuser)
    client.force_login(superuser)
    saved, skipped, problems = [], [], []
    for model, model_admin in _platform_admins():
        if not model_admin.has_change_permission(request):
            continue
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            skipped.append(model._meta.label)
            continue
        info = (model._meta.app_label, model._meta.model_name)
        url = f"/admin/{info[0]}/{info[1]}/{obj.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200, url
        data, changed = _post_data(page.content.decode(), model)
        before, last_audit = (
            _row(model, obj.pk),
            AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        )
        client.post(url, {**data, "_save": "保存"})
        after = _row(model, obj.pk)
        audited = AuditEntry.objects.filter(
            pk__gt=last_audit, content_type=ContentType.objects.get_for_model(model), object_id=str(obj.pk)
        ).exists()
        if after != before:
            saved.append(model._meta.label)
            if not audited:
                problems.append(
                    f"{model._meta.label}: the change form saved {changed or 'the row'} without an audit row"
                )
    assert not problems, "\n".join(problems)
    assert not skipped, f"no row to try the change form on: {skipped}"
    # the walk really saved through the admin (not just skipped everything)
    assert {
        "accounts.Department",
        "members.Member",
        "workflow.HandlingPolicy",
        "proposals.ProposalCategory",
    } <= set(saved), saved


def test_delete_and_inline_writes_are_audited_too(client, superuser, term):
    from members.models import Plenary
    from proposals.models import ProposalCategory

    client.force_login(superuser)
    category = ProposalCategory.objects.create(name="临时类别")
    response = client.post(f"/admin/proposals/proposalcategory/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not ProposalCategory.objects.filter(pk=category.pk).exists()
    assert AuditEntry.objects.filter(action="proposalcategory_delete", object_id=str(category.pk)).exists()
    # the bulk delete action goes the same way
    other = ProposalCategory.objects.create(name="另一个临时类别")
    client.post(
        "/admin/proposals/proposalcategory/",
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(action="proposalcategory_delete", object_id=str(other.pk)).exists()
    # an inline row (a term's plenary) is saved through the service as well
    response = client.post(
        f"/admin/members/term/{term.pk}/change/",
        {
            "number": term.number,
            "start_date": str(term.start_date),
            "plenaries-TOTAL_FORMS": "1",
            "plenaries-INITIAL_FORMS": "0",
            "plenaries-0-number": "1",
            "plenaries-0-start_date": "2026-01-10",
            "plenaries-0-end_date": "2026-01-13",
            "plenaries-0-term": term.pk,
            "_save": "保存",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plenary = Plenary.objects.get(term=term, number=1)
    assert AuditEntry.objects.filter(action="plenary_create", object_id=str(plenary.pk)).exists()
