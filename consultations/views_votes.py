"""表决/选举 pages: staff controls on the meeting page, the hall's projector page (htmx-refreshed), and
the member's phone page (a big button per choice, then a confirmation step; no script needed)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.workflow.errors import DomainError

from . import selectors, voting
from .api_sessions import DOCX, _file
from .api_votes import vote_result_docx
from .forms import _Bootstrap
from .models import Ballot, Vote
from .views import STAFF_ROLES, _form_error, _run


class VoteForm(_Bootstrap):
    title = forms.CharField(label="表决事项", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=Vote.Kind.choices)
    secret = forms.TypedChoiceField(
        label="方式", choices=[("1", "无记名"), ("0", "记名")], coerce=lambda v: v == "1"
    )
    rule = forms.ChoiceField(label="通过规则", choices=Vote.Rule.choices)
    candidates = forms.ModelMultipleChoiceField(
        label="候选人（选举）", queryset=Member.objects.none(), required=False
    )
    max_choices = forms.IntegerField(label="应选人数（选举）", min_value=1, max_value=999, required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["candidates"].queryset = Member.objects.filter(
                consultation_attendances__meeting=meeting
            ).order_by("name")


def votes_context(meeting) -> dict:
    votes = selectors.meeting_votes(meeting)
    for vote in votes:
        vote.progress = selectors.vote_progress(vote)
    return {"votes": votes, "vote_form": VoteForm(meeting=meeting, auto_id="vote_%s")}


@require_POST
@role_required(Role.STAFF)
def vote_create(request, pk):
    meeting = selectors.access_meeting(request.user, pk)
    form = VoteForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        _run(
            request,
            lambda: voting.vote_create(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                kind=data["kind"],
                secret=data["secret"],
                rule=data["rule"],
                candidates=list(data["candidates"]),
                max_choices=data["max_choices"],
            ),
            "表决事项已创建。",
        )
    else:
        _form_error(request, form)
    return redirect("consultations:meeting", pk=meeting.pk)


@require_POST
@role_required(Role.STAFF)
def vote_control(request, pk, action):
    vote = selectors.access_vote(request.user, pk)
    calls = {
        "open": (voting.vote_open, "投票已开始。"),
        "close": (voting.vote_close, "投票已结束，结果已生成。"),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    _run(request, lambda: call(actor=request.user, vote=vote), success)
    return redirect("consultations:meeting", pk=vote.meeting_id)


@role_required(*STAFF_ROLES)
def vote_screen(request, pk):
    vote = selectors.access_vote(request.user, pk)
    return render(request, "consultations/votes/screen.html", _screen_context(vote))


@role_required(*STAFF_ROLES)
def vote_screen_live(request, pk):
    vote = selectors.access_vote(request.user, pk)
    return render(request, "consultations/votes/_screen_live.html", _screen_context(vote))


def _screen_context(vote) -> dict:
    result = vote.result if vote.state == Vote.State.CLOSED else None
    return {"vote": vote, "progress": selectors.vote_progress(vote), "result": result}


@role_required(*STAFF_ROLES)
def vote_export(request, pk):
    vote = selectors.access_vote(request.user, pk)
    if vote.state != Vote.State.CLOSED:
        messages.error(request, "投票结束后才能导出结果。")
        return redirect("consultations:meeting", pk=vote.meeting_id)
    return _file(vote_result_docx(vote), DOCX, f"{vote.title}-计票结果.docx")


def _choice_of(request, vote):
    if vote.kind == Vote.Kind.RESOLUTION:
        choice = request.POST.get("choice", "")
        if choice not in Ballot.Choice.values:
            raise DomainError("请选择赞成、反对或弃权。")
        return choice, []
    try:
        candidates = [int(c) for c in request.POST.getlist("candidates")]
    except ValueError:
        raise DomainError("所选的人不在候选人名单中。") from None
    return "", candidates


@role_required(Role.MEMBER)
def member_vote(request, pk):
    """The phone page: a big button per choice; choosing leads to the confirmation step."""
    vote = selectors.access_vote(request.user, pk)
    context = {
        "vote": vote,
        "progress": selectors.vote_progress(vote),
        "voted": selectors.has_voted(vote, request.user),
        "choices": Ballot.Choice.choices,
        "result": vote.result if vote.state == Vote.State.CLOSED else None,
    }
    if request.method == "POST":
        try:
            choice, candidates = _choice_of(request, vote)
            if len(candidates) > (vote.max_choices or 0) and vote.kind == Vote.Kind.ELECTION:
                raise DomainError(f"最多选{vote.max_choices}人，您选了{len(candidates)}人，请重选。")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("consultations:member_vote", pk=vote.pk)
        names = dict((c.member_id, c.member.name) for c in vote.candidate_rows.all())
        context.update(
            {
                "confirm": True,
                "choice": choice,
                "choice_label": dict(Ballot.Choice.choices).get(choice, ""),
                "candidates": candidates,
                "candidate_names": [names.get(c, "") for c in candidates],
            }
        )
    return render(request, "consultations/votes/member.html", context)


@require_POST
@role_required(Role.MEMBER)
def member_ballot(request, pk):
    vote = selectors.access_vote(request.user, pk)
    try:
        choice, candidates = _choice_of(request, vote)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("consultations:member_vote", pk=vote.pk)
    _run(
        request,
        lambda: voting.ballot_cast(actor=request.user, vote=vote, choice=choice, candidates=candidates),
        "投票成功。",
    )
    return redirect("consultations:member_vote", pk=vote.pk)
