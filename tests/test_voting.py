"""表决/选举: one ballot per present member (also under 50 simultaneous presses), results only after
close, the rules' arithmetic with ties, secret ballots that cannot be traced to their voters, the
projector and phone pages, the result sheet, and the wrong roles refused."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from docx import Document

from consultations import services, voting
from consultations.models import Attendance, Ballot, Meeting, VoterMark
from zhengxie.workflow.errors import InvalidInput

API = "/api/v1"


@pytest.fixture
def hall(staff_user, make_member):
    """A held-now meeting with nine invitees, of whom `present` are checked in."""
    members = [make_member(f"委员{i}") for i in range(9)]
    meeting = services.meeting_create(
        actor=staff_user,
        title="全体会议闭幕大会",
        type="forum",
        start=timezone.now() + timedelta(days=1),
        place="大礼堂",
        invitees=members,
    )
    start = timezone.now() - timedelta(minutes=10)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    meeting.refresh_from_db()
    for member in members[:7]:
        services.meeting_record_attendance(actor=staff_user, meeting=meeting, member=member, status="present")
    return meeting, members


def resolution(staff_user, meeting, *, secret=True, rule="majority_of_all"):
    vote = voting.vote_create(
        actor=staff_user,
        meeting=meeting,
        title="关于提案审查情况的报告的决议",
        kind="resolution",
        secret=secret,
        rule=rule,
    )
    return voting.vote_open(actor=staff_user, vote=vote)


@pytest.mark.parametrize(
    "count,eligible,present,rule,expected",
    [
        (5, 9, 9, "majority_of_all", True),
        (4, 8, 8, "majority_of_all", False),  # exactly half is not more than half
        (5, 10, 6, "majority_of_all", False),
        (4, 10, 7, "majority_of_present", True),
        (3, 10, 6, "majority_of_present", False),
        (6, 9, 9, "two_thirds_of_all", True),
        (5, 9, 9, "two_thirds_of_all", False),
        (0, 0, 0, "two_thirds_of_all", False),
    ],
)
def test_rule_arithmetic(count, eligible, present, rule, expected):
    assert voting.passes(count, rule=rule, eligible=eligible, present=present) is expected


@pytest.mark.django_db
def test_resolution_flow_through_the_api(api, staff_user, leader_user, department_user, hall):
    meeting, members = hall
    client = api(staff_user)
    r = client.post(
        f"{API}/meetings/{meeting.pk}/votes/",
        {"title": "决议草案", "kind": "resolution", "secret": True, "rule": "majority_of_all"},
        format="json",
    )
    assert r.status_code == 201 and r.data["state"] == "draft" and r.data["result"] is None
    vote_id = r.data["id"]
    ballot = f"{API}/votes/{vote_id}/ballot/"
    # Before open: a Chinese 400 and nothing written.
    r = api(members[0].user).post(ballot, {"choice": "yes"}, format="json")
    assert r.status_code == 400 and "尚未开始" in r.data["detail"]
    assert (
        api(members[0].user).post(f"{API}/meetings/{meeting.pk}/votes/", {}, format="json").status_code == 403
    )
    assert api(leader_user).post(f"{API}/votes/{vote_id}/open/").status_code == 403
    assert client.post(f"{API}/votes/{vote_id}/open/").data["state"] == "open"
    for member, choice in zip(members[:6], ["yes", "yes", "yes", "yes", "no", "abstain"], strict=True):
        assert api(member.user).post(ballot, {"choice": choice}, format="json").status_code == 201
    # A second ballot, a member who did not check in, a department, a bad choice: refused.
    again = api(members[0].user).post(ballot, {"choice": "no"}, format="json")
    assert again.status_code == 400 and "已投过票" in again.data["detail"]
    assert api(members[8].user).post(ballot, {"choice": "yes"}, format="json").status_code == 403
    assert api(department_user).post(ballot, {"choice": "yes"}, format="json").status_code == 404
    assert api(members[6].user).post(ballot, {"choice": "maybe"}, format="json").status_code == 400
    # While open nobody sees the result, only the count.
    live = api(leader_user).get(f"{API}/votes/{vote_id}/").data
    assert live["result"] is None and live["cast"] == 6 and live["eligible"] == 9 and live["present"] == 7
    closed = client.post(f"{API}/votes/{vote_id}/close/").data
    assert closed["result"] == {"yes": 4, "no": 1, "abstain": 1, "not_voted": 3, "passed": False}
    assert closed["ballots"] == []  # secret: no voters listed
    late = api(members[6].user).post(ballot, {"choice": "yes"}, format="json")
    assert late.status_code == 400 and "已结束" in late.data["detail"]
    assert VoterMark.objects.count() == 6 and Ballot.objects.count() == 6
    doc = client.get(f"{API}/votes/{vote_id}/export/")
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert "赞成4票，反对1票，弃权1票" in text and "未通过" in text and "监票人（签名）" in text


@pytest.mark.django_db
def test_named_vote_lists_each_voter_after_close(staff_user, hall):
    meeting, members = hall
    vote = resolution(staff_user, meeting, secret=False, rule="majority_of_present")
    for member in members[:4]:
        voting.ballot_cast(actor=member.user, vote=vote, choice="yes")
    voting.ballot_cast(actor=members[4].user, vote=vote, choice="no")
    vote = voting.vote_close(actor=staff_user, vote=vote)
    assert vote.result["passed"] is True  # 4 of 7 present is more than half
    from consultations.selectors import named_ballots

    listed = {row["name"]: row["choice"] for row in named_ballots(vote)}
    assert listed == {"委员0": "yes", "委员1": "yes", "委员2": "yes", "委员3": "yes", "委员4": "no"}


@pytest.mark.django_db
def test_election_limits_counts_and_tie(staff_user, hall):
    meeting, members = hall
    a, b, c = members[:3]
    vote = voting.vote_create(
        actor=staff_user,
        meeting=meeting,
        title="增补常委",
        kind="election",
        candidates=[a, b, c],
        max_choices=1,
        rule="majority_of_present",
    )
    vote = voting.vote_open(actor=staff_user, vote=vote)
    with pytest.raises(InvalidInput, match="最多选1人"):
        voting.ballot_cast(actor=members[0].user, vote=vote, candidates=[a.pk, b.pk])
    with pytest.raises(InvalidInput, match="候选人名单"):
        voting.ballot_cast(actor=members[0].user, vote=vote, candidates=[members[5].pk])
    assert not VoterMark.objects.exists()  # refused ballots change nothing
    for voter, pick in zip(members[:7], [a, a, a, a, b, b, c], strict=True):
        voting.ballot_cast(actor=voter.user, vote=vote, candidates=[pick.pk])
    result = voting.vote_close(actor=staff_user, vote=vote).result
    assert {row["name"]: (row["votes"], row["elected"]) for row in result["candidates"]} == {
        "委员0": (4, True),
        "委员1": (2, False),
        "委员2": (1, False),
    }
    tied = voting.vote_open(
        actor=staff_user,
        vote=voting.vote_create(
            actor=staff_user,
            meeting=meeting,
            title="二选一",
            kind="election",
            candidates=[a, b],
            max_choices=1,
            rule="majority_of_present",
        ),
    )
    for voter, pick in zip(members[:7], [a, a, a, a, b, b, b], strict=True):
        voting.ballot_cast(actor=voter.user, vote=tied, candidates=[pick.pk])
    assert voting.vote_close(actor=staff_user, vote=tied).result["tie"] is False
    seats = voting.vote_open(
        actor=staff_user,
        vote=voting.vote_create(
            actor=staff_user,
            meeting=meeting,
            title="两席",
            kind="election",
            candidates=[a, b, c],
            max_choices=1,
            rule="majority_of_all",
        ),
    )
    for voter in members[:5]:
        voting.ballot_cast(actor=voter.user, vote=seats, candidates=[a.pk])
    # a: 5 of 9 passes; b and c get none.
    assert [r["elected"] for r in voting.vote_close(actor=staff_user, vote=seats).result["candidates"]] == [
        True,
        False,
        False,
    ]


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_presses_count_each_member_once(staff_user, make_member):
    members = [make_member(f"同时{i}") for i in range(25)]
    meeting = services.meeting_create(
        actor=staff_user,
        title="常委会",
        type="forum",
        start=timezone.now() + timedelta(days=1),
        place="x",
        invitees=members,
    )
    start = timezone.now() - timedelta(minutes=10)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    Attendance.objects.filter(meeting=meeting).update(status="present")
    vote = resolution(staff_user, meeting)
    barrier = threading.Barrier(50)
    outcomes = []

    def press(member):
        try:
            barrier.wait()
            voting.ballot_cast(actor=member.user, vote=vote, choice="yes")
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("again")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(m,)) for m in members for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 25 and outcomes.count("again") == 25
    assert VoterMark.objects.filter(vote=vote).count() == 25
    assert Ballot.objects.filter(vote=vote).count() == 25
    assert voting.vote_close(actor=staff_user, vote=vote).result["yes"] == 25


@pytest.mark.django_db
def test_secret_ballot_cannot_be_traced_to_its_voter(staff_user, hall, caplog):
    meeting, members = hall
    vote = resolution(staff_user, meeting)
    voters = members[:5]
    choices = ["yes", "no", "yes", "abstain", "no"]
    for member, choice in zip(voters, choices, strict=True):
        voting.ballot_cast(actor=member.user, vote=vote, choice=choice)
    voting.vote_close(actor=staff_user, vote=vote)
    ballot_ids = {str(pk) for pk in Ballot.objects.filter(vote=vote).values_list("pk", flat=True)}
    identities = set()
    for member in voters:
        identities |= {member.user.username, member.name}
    # Ballot rows: no voter, no time; all rewritten by the closing transaction (one xmin for all).
    assert not Ballot.objects.filter(vote=vote, voter__isnull=False).exists()
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    assert ballot_columns == {"id", "vote_id", "voter_id", "choice"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT xmin::text) FROM {Ballot._meta.db_table} WHERE vote_id = %s", [vote.pk]
        )
        assert cursor.fetchone()[0] == 1
        # Every row of every table: none that names a ballot also names (or keys) a voter.
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')
            for (row,) in cursor.fetchall():
                if any(b in row for b in ballot_ids):
                    assert not any(i in row for i in identities), (table, row)
                    assert '"member_id"' not in row or table.endswith("ballotcandidate"), (table, row)
        # The audit log records that each voter voted, never how.
        from zhengxie.workflow.models import AuditEntry

        for entry in AuditEntry.objects.filter(action="vote_ballot"):
            text = str(entry.__dict__)
            assert not any(c in text for c in ('"yes"', "'yes'", '"no"', "'no'", "abstain"))
    for record in caplog.records:
        assert not any(c in record.getMessage() for c in ("'yes'", "'abstain'"))


@pytest.mark.django_db
def test_vote_visibility(api, staff_user, department_user, make_member, hall):
    meeting, members = hall
    vote = resolution(staff_user, meeting)
    outsider = make_member("局外人")
    assert api(outsider.user).get(f"{API}/votes/{vote.pk}/").status_code == 404
    assert api(department_user).get(f"{API}/votes/{vote.pk}/").status_code == 404
    assert api(members[8].user).get(f"{API}/votes/{vote.pk}/").status_code == 200
    assert api(staff_user).get(f"{API}/votes/abc/").status_code == 404


@pytest.mark.django_db
def test_phone_page_confirm_step_and_projector(client, staff_user, hall):
    meeting, members = hall
    vote = resolution(staff_user, meeting)
    client.force_login(members[0].user)
    page = client.get(f"/votes/{vote.pk}/").content.decode()
    assert "赞成" in page and "反对" in page and "弃权" in page
    confirm = client.post(f"/votes/{vote.pk}/", {"choice": "yes"}).content.decode()
    assert "请确认您的投票" in confirm and not VoterMark.objects.exists()  # choosing is not voting
    done = client.post(f"/votes/{vote.pk}/ballot/", {"choice": "yes"}, follow=True).content.decode()
    assert "投票成功" in done and "您已投票" in done
    client.force_login(staff_user)
    live = client.get(f"/workbench/consultations/votes/{vote.pk}/screen/live/").content.decode()
    assert "已投票 <strong>1</strong>" in live and "通过" not in live
    client.post(f"/workbench/consultations/votes/{vote.pk}/close/do/")
    live = client.get(f"/workbench/consultations/votes/{vote.pk}/screen/live/").content.decode()
    assert "赞成 1" in live and "未通过" in live
    client.force_login(members[8].user)  # invited, not present
    client.post(f"/votes/{vote.pk}/ballot/", {"choice": "yes"})
    assert VoterMark.objects.count() == 1
