"""zhengxie.api_read.ModelSerializer answers exactly what DRF's own ModelSerializer answers: every GET of the
API (lists, and the detail of each list's first rows) for every role on the demo data, byte for byte, with
the fast reading on and off; and the corner cases DRF treats specially (a missing related row, a choice
value that is not a choice, None)."""

import datetime
import json
import re

import pytest
from django.core.management import call_command

from proposals.api.proposals import ProposalSerializer
from proposals.models import Proposal, ProposalCategory
from zhengxie import api_read
from zhengxie.accounts.models import User

ROLES = ("staff", "leader", "member1", "dept_fgw")
SKIP = re.compile(r"/(schema|auth|export|exports|docx|xlsx|csv|download|letter)\b")


def _get_paths(client) -> list[str]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return sorted(path for path, ops in schema["paths"].items() if "get" in ops and not SKIP.search(path))


def _both(client, url):
    api_read.ENABLED = True
    try:
        fast = client.get(url)
        api_read.ENABLED = False
        slow = client.get(url)
    finally:
        api_read.ENABLED = True
    return fast, slow


@pytest.mark.django_db
def test_every_get_of_the_api_reads_the_same_as_drf(client):
    call_command("seed_demo", verbosity=0)
    paths = _get_paths(client)
    compared, rows = 0, 0
    for username in ROLES:
        client.logout()
        client.force_login(User.objects.get(username=username))
        for path in (p for p in paths if "{" not in p):
            fast, slow = _both(client, path)
            assert fast.status_code == slow.status_code, path
            assert fast.get("Content-Type") == slow.get("Content-Type"), path
            if "json" not in fast.get("Content-Type", ""):
                # A file (the year report's DOCX) is no serializer's output, and its zip entries carry
                # the time they were written: two GETs across a 2-second tick differ.
                continue
            assert fast.content == slow.content, f"{username} {path}"
            if fast.status_code != 200:
                continue
            compared += 1
            body = fast.json()
            results = body.get("results") if isinstance(body, dict) else None
            for row in (results or [])[:3]:
                if not isinstance(row, dict) or "id" not in row:
                    continue
                rows += 1
                detail = f"{path}{row['id']}/"
                if f"{path}{{id}}/" not in paths:
                    continue
                fast, slow = _both(client, detail)
                assert fast.status_code == slow.status_code, detail
                assert fast.content == slow.content, f"{username} {detail}"
                compared += 1
    # The demo data reaches real rows on most endpoints for every role (the comparison is not vacuous).
    assert compared > 150 and rows > 150, (compared, rows)


@pytest.mark.django_db
def test_corner_cases_read_as_drf_reads_them(rf, staff_user, make_member, term):
    proposer = make_member("提案人")
    bare = Proposal.objects.create(
        title="无类别",
        proposer=proposer,
        created_by=staff_user,
        term=term,
        category=ProposalCategory.objects.first(),
        kind="mystery",
    )
    request = rf.get("/")
    request.user = staff_user
    proposal = Proposal.objects.select_related("category", "rejection_reason").get(pk=bare.pk)
    proposal.category = None  # not possible in the table; the serializer's path for any missing related row
    assert proposal.rejection_reason is None

    def data(enabled):
        api_read.ENABLED = enabled
        try:
            return ProposalSerializer(proposal, context={"request": request}).data
        finally:
            api_read.ENABLED = True

    fast, slow = data(True), data(False)
    assert json.dumps(fast, sort_keys=False, default=str) == json.dumps(slow, sort_keys=False, default=str)
    # DRF's own answers for those: null for a missing related row, or the field's declared default; an
    # unknown choice shows its value.
    assert fast["category_name"] is None and fast["rejection_reason"] == ""
    assert fast["kind_display"] == "mystery"
    assert fast["category"] is None


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=datetime.UTC),
        datetime.datetime(2026, 6, 30, 23, 59, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
        datetime.datetime(2026, 1, 2, 3, 4),  # naive: DRF makes it aware
        datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.UTC),  # past the edge once in local time
        datetime.date(2026, 1, 2),
    ],
)
def test_datetimes_read_as_drf_reads_them(value):
    from rest_framework import serializers
    from rest_framework.exceptions import ValidationError

    from zhengxie.api_read import _datetime_reader

    def outcome(read):
        try:
            return read(value)
        except (ValidationError, AttributeError, OverflowError) as exc:
            return type(exc).__name__

    field = serializers.DateTimeField()
    assert outcome(_datetime_reader(field)) == outcome(field.to_representation)


def test_datetimes_in_utc_end_in_z_as_drf_writes_them():
    from django.test import override_settings
    from rest_framework import serializers

    from zhengxie.api_read import _datetime_reader

    with override_settings(TIME_ZONE="UTC"):
        field = serializers.DateTimeField()
        value = datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC)
        assert _datetime_reader(field)(value) == field.to_representation(value) == "2026-01-02T03:04:00Z"


def _model_serializer_classes():
    import zhengxie.urls  # noqa: F401  every API module, so every serializer class exists

    found, todo = [], [api_read.ModelSerializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


@pytest.mark.django_db
def test_every_serializer_gets_drfs_fields_as_new_objects():
    """The built fields come from a plan made once per class: the same classes and arguments as DRF's own
    get_fields (repr shows both, write-side validators included), and new objects for every serializer."""
    classes = _model_serializer_classes()
    assert len(classes) > 50
    for cls in classes:
        api_read.ENABLED = False
        try:
            expected = repr(cls().get_fields())
        finally:
            api_read.ENABLED = True
        cls().get_fields()  # makes the plan if it was not made
        first, second = cls().get_fields(), cls().get_fields()
        assert repr(first) == expected, cls
        assert list(first) == list(second)
        assert all(first[name] is not second[name] for name in first), cls
        assert cls.__dict__.get("_built_fields_plan") is not None, cls
