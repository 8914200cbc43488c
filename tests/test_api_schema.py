"""Issue 14: the OpenAPI contract integrators generate clients from, and the small API behaviours around it."""

import pytest
from rest_framework.test import APIClient

from conftest import make_user
from proposals import services
from proposals.models import Assignment, Cosigner, Proposal, ProposalCategory
from zhengxie.accounts.models import Role
from zhengxie.workflow.models import HandlingPolicy

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _component(schema, ref_or_schema):
    ref = ref_or_schema.get("$ref") or next(
        (s["$ref"] for s in ref_or_schema.get("allOf", []) if "$ref" in s), None
    )
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else ref_or_schema


def _request_schema(schema, path, method="post"):
    content = schema["paths"][path][method]["requestBody"]["content"]
    return _component(schema, next(iter(content.values()))["schema"])


# --- the schema -------------------------------------------------------------------------------------


def test_bodies_are_json_except_file_uploads_which_are_multipart_only(schema):
    file_operations = set()
    for path, method, op in _operations(schema):
        if "requestBody" not in op:
            continue
        content = op["requestBody"]["content"]
        assert len(content) == 1, (method, path, list(content))
        media_type, body = next(iter(content.items()))
        properties = _component(schema, body["schema"]).get("properties", {})
        binary = [
            name
            for name, prop in properties.items()
            if prop.get("format") == "binary" or prop.get("items", {}).get("format") == "binary"
        ]
        if media_type == "multipart/form-data":
            assert binary, (method, path)
            file_operations.add(path)
        else:
            assert media_type == "application/json" and not binary, (method, path, media_type)
    assert {
        "/api/v1/proposals/{id}/attachments/",
        "/api/v1/assignments/{id}/reply/",
        "/api/v1/transfers/{id}/reply/",
        "/api/v1/duty-records/",
    } <= file_operations


def test_json_endpoints_refuse_form_bodies(api, member):
    response = api(member.user).post("/api/v1/proposals/", {"title": "案由"}, format="multipart")
    assert response.status_code == 415


def test_histories_are_declared_as_bare_lists(schema):
    histories = [(p, op) for p, m, op in _operations(schema) if p.endswith("/history/")]
    assert "/api/v1/assignments/{id}/history/" in {p for p, _ in histories}
    for path, op in histories:
        body = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array" and body["items"]["$ref"].endswith("/History"), path
        assert {p["name"] for p in op.get("parameters", [])} == {"id"}, path  # no page parameters


def test_every_operation_documents_the_error_answers(schema):
    for path, method, op in _operations(schema):
        codes = set(op["responses"])
        assert {"400", "404"} <= codes, (method, path)
        if op.get("security") != [{}] and path != "/api/v1/auth/token/":
            assert {"401", "403"} <= codes, (method, path)
    errors = schema["components"]["schemas"]
    assert errors["Error"]["required"] == ["detail"]
    assert errors["ValidationError"]["additionalProperties"] == {}


@pytest.mark.parametrize(
    "path,field,values",
    [
        (
            "/api/v1/proposals/{id}/reject/",
            "disposition",
            {"opinion_report", "work_suggestion", "letter", "none"},
        ),
        (
            "/api/v1/proposals/{id}/evaluate/",
            "satisfaction",
            {"satisfied", "basically_satisfied", "dissatisfied"},
        ),
        ("/api/v1/proposals/{id}/supervise/", "kind", {"urge", "inspection", "meeting"}),
        ("/api/v1/assignments/{id}/contacts/", "way", {"face_to_face", "phone", "written", "other"}),
        ("/api/v1/assignments/{id}/reply/", "result", {"A", "B", "C"}),
        ("/api/v1/transfers/{id}/reply/", "result", {"A", "B", "C"}),
        ("/api/v1/opinion-reports/{id}/instructions/", "level", {"district", "city", "province", "national"}),
        ("/api/v1/opinion-reports/{id}/upper-adoptions/", "kind", {"single", "compiled"}),
    ],
)
def test_request_enums_are_typed_with_chinese_labels(schema, path, field, values):
    enum = _component(schema, _request_schema(schema, path)["properties"][field])
    assert set(enum["enum"]) == values
    assert any("\u4e00" <= ch <= "\u9fff" for ch in enum["description"])  # "* `urge` - 催办" …


def test_assign_role_is_typed(schema):
    item = _component(
        schema,
        _request_schema(schema, "/api/v1/proposals/{id}/assign/")["properties"]["assignments"]["items"],
    )
    assert set(_component(schema, item["properties"]["role"])["enum"]) == {"lead", "co", "separate"}


def test_nested_objects_are_typed_and_response_fields_required(schema):
    components = schema["components"]["schemas"]
    proposal = components["Proposal"]
    assert proposal["properties"]["cosigners"]["items"]["$ref"].endswith("/Cosigner")
    assert set(proposal["required"]) == set(proposal["properties"])
    reply = components["AssignmentBrief"]["properties"]["reply"]
    assert _component(schema, reply) is components["Reply"] and reply.get("nullable") is True
    # The roster hides fields from some readers: only the always-present ones are required there.
    assert set(components["Member"]["required"]) == {"id", "name", "sector", "party"}


def test_proposal_filters_department_and_overdue_are_documented(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/proposals/"]["get"]["parameters"]}
    assert {"department", "overdue", "state", "kind"} <= names


def test_tags_are_chinese_never_the_path_prefix(schema):
    tags = {tag for _, _, op in _operations(schema) for tag in op.get("tags", [])}
    assert tags and all(any("\u4e00" <= ch <= "\u9fff" for ch in tag) for tag in tags), tags


def test_limits_are_the_policys(schema):
    body = _request_schema(schema, "/api/v1/proposals/")
    assert body["properties"]["title"]["maxLength"] == 50
    assert body["properties"]["content"]["maxLength"] == 2500
    assert "/api/v1/policy/" in body["properties"]["title"]["description"]


def test_bulk_register_and_cosign_document_what_they_answer(schema):
    bulk = schema["paths"]["/api/v1/proposals/bulk-register/"]["post"]["responses"]
    assert "200" in bulk and "201" not in bulk
    assert {"200", "204"} <= set(schema["paths"]["/api/v1/proposals/{id}/cosign/"]["post"]["responses"])


# --- behaviour --------------------------------------------------------------------------------------


def test_policy_gives_the_current_limits_and_deadlines(api, member):
    assert APIClient().get("/api/v1/policy/").status_code == 401
    default = api(member.user).get("/api/v1/policy/").json()
    assert default["proposal_title_max"] == 50 and default["proposal_content_max"] == 2500
    assert default["reply_months"] == 3 and "pdf" in default["attachment_extensions"]
    HandlingPolicy.objects.create(proposal_title_max=30, rating_window_workdays=10)
    current = api(member.user).get("/api/v1/policy/").json()
    assert current["proposal_title_max"] == 30 and current["rating_window_workdays"] == 10


@pytest.mark.parametrize(
    "url,param,value",
    [
        ("/api/v1/proposals/", "state", "registerd"),
        ("/api/v1/proposals/", "state", "submitted,registerd"),
        ("/api/v1/proposals/", "kind", "jiont"),
        ("/api/v1/assignments/", "state", "acepted"),
        ("/api/v1/assignments/", "role", "main"),
        ("/api/v1/transfers/", "state", "acepted"),
        ("/api/v1/opinion-reports/", "state", "submited"),
        ("/api/v1/bulletins/", "state", "publshed"),
        ("/api/v1/topics/", "type", "plenery"),
        ("/api/v1/meetings/", "state", "helt"),
    ],
)
def test_a_typo_in_a_filter_is_400_with_the_valid_values(api, staff_user, url, param, value):
    response = api(staff_user).get(url, {param: value})
    assert response.status_code == 400
    message = response.json()[param][0]
    assert value.split(",")[-1] in message and "可选值" in message


def test_valid_filters_still_list(api, staff_user):
    assert api(staff_user).get("/api/v1/proposals/", {"state": "submitted,registered"}).status_code == 200
    assert (
        api(staff_user).get("/api/v1/assignments/", {"state": "pending", "role": "lead"}).status_code == 200
    )


def test_reference_lists(api, member, staff_user, leader_user, department_user):
    categories = api(member.user).get("/api/v1/proposal-categories/").json()
    assert {c["name"] for c in categories} == set(
        ProposalCategory.objects.filter(is_active=True).values_list("name", flat=True)
    )
    reasons = api(staff_user).get("/api/v1/rejection-reasons/")
    assert reasons.status_code == 200 and reasons.json() and {"id", "text"} == set(reasons.json()[0])
    make_user("retired", Role.LEADER, is_active=False)
    leaders = api(staff_user).get("/api/v1/leaders/").json()
    assert leaders == [{"id": leader_user.pk, "name": "刘主席"}]
    for user in (member.user, department_user):
        assert api(user).get("/api/v1/rejection-reasons/").status_code == 403
        assert api(user).get("/api/v1/leaders/").status_code == 403
    assert APIClient().get("/api/v1/proposal-categories/").status_code == 401


def test_members_carry_username_for_those_who_see_private_fields(api, member, other_member, staff_user):
    assert api(staff_user).get(f"/api/v1/members/{member.pk}/").json()["username"] == "member1"
    assert api(member.user).get(f"/api/v1/members/{member.pk}/").json()["username"] == "member1"
    assert "username" not in api(other_member.user).get(f"/api/v1/members/{member.pk}/").json()


def _registered(member, staff_user, plenary):
    proposal = services.proposal_create(
        actor=member.user,
        title="关于优化公交线路的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=proposal)
    return services.proposal_register(actor=staff_user, proposal=proposal)


def test_assignment_history(api, member, staff_user, plenary, department, department_user, other_department):
    proposal = _registered(member, staff_user, plenary)
    services.proposal_assign(
        actor=staff_user, proposal=proposal, assignments=[{"department": department.pk, "role": "lead"}]
    )
    task = Assignment.objects.get()
    api(department_user).post(f"/api/v1/assignments/{task.pk}/accept/")
    history = api(department_user).get(f"/api/v1/assignments/{task.pk}/history/")
    assert history.status_code == 200
    assert [(h["from_state"], h["to_state"]) for h in history.json()] == [
        ("", "pending"),
        ("pending", "accepted"),
    ]
    assert history.json()[1]["actor"] == "王科长"
    other = make_user("wjw1", Role.DEPARTMENT, department=other_department)
    assert api(other).get(f"/api/v1/assignments/{task.pk}/history/").status_code == 404
    assert api(member.user).get(f"/api/v1/assignments/{task.pk}/history/").status_code == 404


def test_declining_a_cosign_answers_204_and_is_saved(api, member, other_member, plenary):
    proposal = services.proposal_create(
        actor=member.user,
        title="关于推进全民阅读的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="文化"),
        kind=Proposal.Kind.JOINT,
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=proposal)
    response = api(other_member.user).post(f"/api/v1/proposals/{proposal.pk}/cosign/", {"agree": False})
    assert response.status_code == 204 and response.content == b""
    assert Cosigner.objects.get(proposal=proposal).status == Cosigner.Status.DECLINED


def test_bulk_register_answers_what_the_schema_says(api, member, staff_user, plenary, schema):
    proposal = services.proposal_create(
        actor=member.user,
        title="关于推进全民阅读的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="文化"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=proposal)
    response = api(staff_user).post("/api/v1/proposals/bulk-register/", {"ids": [proposal.pk]})
    documented = schema["paths"]["/api/v1/proposals/bulk-register/"]["post"]["responses"]
    assert str(response.status_code) in documented and response.status_code < 300
    assert response.json()["registered"][0]["id"] == proposal.pk
