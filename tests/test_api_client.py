"""Issue 14's "done when": a client generated from /api/schema/ works first time.

openapi-python-client (requirements-dev.txt) generates a typed client from the live schema; every generated
module must import, and a whole proposal cycle runs through it against a live server with every response
parsed into its typed model.
"""

import importlib
import io
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from proposals.models import ProposalCategory

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "zx_api_client"
# Downloads (DOCX, Excel, PDF, ZIP, CSV) come to the client as bytes.
BINARY_TYPES = [
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
    "application/zip",
    "text/csv",
]
CONFIG = "post_hooks: []\ncontent_type_overrides:\n" + "".join(
    f"  {media_type}: application/octet-stream\n" for media_type in BINARY_TYPES
)


def _generate(tmp_path) -> Path:
    schema = APIClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A warning means an operation or response was left out of the client.
    assert "WARNING" not in result.stdout and "Unable to" not in result.stdout, result.stdout
    return tmp_path


@pytest.fixture
def client_package(tmp_path):
    root = _generate(tmp_path)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _operation(package, name):
    """The generated module of one operation, whatever tag folder it sits in."""
    for info in pkgutil.walk_packages(package.api.__path__, f"{PACKAGE}.api."):
        if info.name.rsplit(".", 1)[-1] == name:
            return importlib.import_module(info.name)
    raise AssertionError(f"no generated operation {name}")


def _ok(response, model, status=200):
    assert response.status_code == status, response.content.decode()
    assert response.parsed is not None, response.content.decode()
    if model is not None:
        items = response.parsed if isinstance(response.parsed, list) else [response.parsed]
        assert all(isinstance(item, model) for item in items), type(response.parsed)
    return response.parsed


@pytest.mark.django_db(transaction=True)
def test_generated_client_imports_and_runs_a_proposal_cycle(
    client_package, live_server, staff_user, member, department, department_user, plenary
):
    pkg = client_package
    failures = []
    for info in pkgutil.walk_packages(pkg.__path__, f"{PACKAGE}."):
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported at once
            failures.append(f"{info.name}: {exc!r}")
    assert failures == []

    m = importlib.import_module(f"{PACKAGE}.models")
    from_client = importlib.import_module(f"{PACKAGE}.client")
    types = importlib.import_module(f"{PACKAGE}.types")
    op = lambda name: _operation(pkg, name).sync_detailed  # noqa: E731

    def login(user):
        anonymous = from_client.Client(base_url=live_server.url)
        body = m.TokenObtainRequest(username=user.username, password=PASSWORD)
        token = _ok(op("v1_auth_token_create")(client=anonymous, body=body), m.Token).token
        return from_client.AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")

    as_member, as_staff, as_department = login(member.user), login(staff_user), login(department_user)
    assert _ok(op("v1_me_retrieve")(client=as_member), m.Me).member == member.pk
    policy = _ok(op("v1_policy_retrieve")(client=as_member), m.Policy)
    categories = _ok(op("v1_proposal_categories_list")(client=as_member), m.Category)
    category = next(c for c in categories if c.name == "社会")
    assert category.id == ProposalCategory.objects.get(name="社会").pk

    # The member drafts and submits.
    draft = m.ProposalWriteRequest(
        title="关于加强校园周边交通安全的建议"[: policy.proposal_title_max],
        content="建议增设护学岗。",
        category=str(category.id),
        kind=m.ProposalKindEnum.INDIVIDUAL,
        during_plenary=True,
        plenary=plenary.pk,
    )
    proposal = _ok(op("v1_proposals_create")(client=as_member, body=draft), m.Proposal, 201)
    assert proposal.state == m.ProposalStateEnum.DRAFT
    submitted = _ok(op("v1_proposals_submit_create")(proposal.id, client=as_member), m.Proposal)
    assert submitted.state == m.ProposalStateEnum.SUBMITTED

    # Staff register and assign it.
    registered = _ok(op("v1_proposals_register_create")(proposal.id, client=as_staff), m.Proposal)
    assert registered.state == m.ProposalStateEnum.REGISTERED and registered.number
    assign = m.AssignRequest(
        assignments=[m.AssignItemRequest(department=department.pk, role=m.AssignmentRoleEnum.LEAD)]
    )
    assigned = _ok(op("v1_proposals_assign_create")(proposal.id, client=as_staff, body=assign), m.Proposal)
    assert [a.department for a in assigned.assignments] == [department.pk]

    # The department finds it, accepts, meets the member (面商) and replies with a letter.
    page = _ok(op("v1_assignments_list")(client=as_department), m.PaginatedAssignmentList)
    assert page.count == 1
    task = page.results[0]
    _ok(op("v1_assignments_accept_create")(task.id, client=as_department), m.Assignment)
    contact = m.ContactInputRequest(
        date=timezone.localdate(), way=m.ContactWayEnum.FACE_TO_FACE, summary="当面沟通办理思路"
    )
    met = _ok(op("v1_assignments_contacts_create")(task.id, client=as_department, body=contact), m.Assignment)
    assert met.contacts[0].way == m.ContactWayEnum.FACE_TO_FACE
    letter = types.File(
        payload=io.BytesIO(b"%PDF-1.4 letter"), file_name="reply.pdf", mime_type="application/pdf"
    )
    reply = m.ReplyInputRequest(
        result=m.ReplyResultEnum.A, content="已增设护学岗。", signer="王局长", letter=letter
    )
    replied = _ok(op("v1_assignments_reply_create")(task.id, client=as_department, body=reply), m.Assignment)
    assert replied.reply.result == m.ReplyResultEnum.A and replied.reply.letter

    # The member sees the reply and rates it.
    seen = _ok(op("v1_proposals_retrieve")(proposal.id, client=as_member), m.Proposal)
    assert seen.state == m.ProposalStateEnum.REPLIED
    rating = m.EvaluateRequest(satisfaction=m.EvaluationSatisfactionEnum.SATISFIED)
    rated = _ok(op("v1_proposals_evaluate_create")(proposal.id, client=as_member, body=rating), m.Proposal)
    assert rated.state == m.ProposalStateEnum.CLOSED

    # Histories are bare lists of typed entries.
    history = _ok(op("v1_proposals_history_list")(proposal.id, client=as_member), m.History)
    assert [h.to_state for h in history][:3] == ["draft", "submitted", "registered"]
    task_history = _ok(op("v1_assignments_history_list")(task.id, client=as_department), m.History)
    assert "replied" in [h.to_state for h in task_history]
    listed = _ok(op("v1_proposals_list")(client=as_member), m.PaginatedProposalList)
    assert [p.id for p in listed.results] == [proposal.id]

    # A department's statistics leave out the overall figures: the schema says they may be absent.
    figures = _ok(op("v1_stats_proposals_retrieve")(client=as_department), m.ProposalStats)
    assert [row.department for row in figures.by_department] == [department.pk]
    assert _ok(op("v1_stats_proposals_retrieve")(client=as_staff), m.ProposalStats).replied == 1

    # Errors parse too: a typo in a filter is a 400 naming the valid values; another's object is a 404.
    typo = op("v1_proposals_list")(client=as_member, state="registerd")
    assert typo.status_code == 400 and "registered" in typo.parsed.additional_properties["state"][0]
    hidden = op("v1_assignments_retrieve")(task.id, client=as_member)
    assert hidden.status_code == 404 and isinstance(hidden.parsed, m.Error)
