"""网络议政 pages: the staff workbench (open, moderate, close, summarize, DOCX) and the participants'
phone thread (post, reply, endorse; new posts arrive by htmx polling of a fragment)."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.page_actions import form_error as _form_error
from zhengxie.page_actions import run_action
from zhengxie.paging import CappedPaginator
from zhengxie.params import is_int, parse_year
from zhengxie.workflow.errors import DomainError

from . import selectors, services
from .api import DOCX
from .documents import summary_docx
from .forms import DeliberationForm, HideForm, PostForm, SummaryForm
from .models import Post

_run = partial(run_action, refusal_as_message=True)

STAFF_ROLES = (Role.STAFF, Role.LEADER)
PER_PAGE = 50  # the lists showed every 网络议政 ever held on every view
PARTICIPANT_ROLES = (Role.MEMBER, Role.DEPARTMENT)


# --- staff -------------------------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def staff_list(request):
    form = DeliberationForm(request.POST or None)
    if request.method == "POST":
        if request.user.effective_role != Role.STAFF:
            raise PermissionDenied("只有机关工作人员可以发起网络议政。")
        if form.is_valid():
            data = form.cleaned_data
            deliberation = _run(
                request,
                lambda: services.deliberation_create(
                    actor=request.user,
                    title=data["title"],
                    description=data["description"],
                    topic=data["topic"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    participants=list(data["participants"]) or None,
                    departments=list(data["departments"]),
                ),
                "网络议政已发起。",
            )
            if deliberation is not None:
                return redirect("deliberations:staff_detail", pk=deliberation.pk)
        else:
            _form_error(request, form)
    deliberations = selectors.deliberations_visible_to(request.user)
    year = request.GET.get("year", "")
    if parse_year(year):
        deliberations = deliberations.filter(opens_at__year=parse_year(year))
    page = CappedPaginator(deliberations, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberations/staff_list.html",
        {"deliberations": page.object_list, "page": page, "form": form, "year": year if is_int(year) else ""},
    )


@role_required(*STAFF_ROLES)
def staff_detail(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    posts = list(selectors.posts_for(request.user, deliberation))
    return render(
        request,
        "deliberations/staff_detail.html",
        {
            "deliberation": deliberation,
            "phase": deliberation.phase(),
            "threads": selectors.thread(posts),
            "suggestions": selectors.deliberation_suggestions(deliberation),
            "summary_form": SummaryForm(),
            "hide_form": HideForm(auto_id=False),
            "can_moderate": selectors.is_moderator(request.user),
        },
    )


@require_POST
@role_required(Role.STAFF)
def staff_close(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    _run(
        request,
        lambda: services.deliberation_close(actor=request.user, deliberation=deliberation),
        "网络议政已结束。",
    )
    return redirect("deliberations:staff_detail", pk=pk)


@require_POST
@role_required(Role.STAFF)
def staff_summarize(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    form = SummaryForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.deliberation_summarize(
                actor=request.user,
                deliberation=deliberation,
                suggestions=form.cleaned_data["suggestions"],
                summary=form.cleaned_data["summary"],
            ),
            "已形成议政成果。",
        )
    else:
        _form_error(request, form)
    return redirect("deliberations:staff_detail", pk=pk)


@role_required(*STAFF_ROLES)
def staff_docx(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    response = HttpResponse(
        summary_docx(deliberation, selectors.deliberation_suggestions(deliberation)), content_type=DOCX
    )
    response["Content-Disposition"] = f'attachment; filename="deliberation-{deliberation.pk}.docx"'
    return response


@require_POST
@role_required(Role.STAFF)
def staff_post_action(request, pk, action):
    post = selectors.access_post(request.user, pk)
    if action == "hide":
        form = HideForm(request.POST)
        if form.is_valid():
            _run(
                request,
                lambda: services.post_hide(actor=request.user, post=post, reason=form.cleaned_data["reason"]),
                "发言已屏蔽。",
            )
        else:
            _form_error(request, form)
    elif action in ("pin", "unpin"):
        _run(
            request,
            lambda: services.post_pin(actor=request.user, post=post, pinned=action == "pin"),
            "已置顶。" if action == "pin" else "已取消置顶。",
        )
    else:
        raise PermissionDenied("未知操作。")
    return redirect(reverse("deliberations:staff_detail", args=[post.deliberation_id]) + f"#post-{post.pk}")


@role_required(*STAFF_ROLES)
def staff_post(request, pk):
    post = selectors.access_post(request.user, pk)
    return redirect(reverse("deliberations:staff_detail", args=[post.deliberation_id]) + f"#post-{post.pk}")


# --- participants ------------------------------------------------------------------------------------


@role_required(*PARTICIPANT_ROLES)
def my_list(request):
    page = CappedPaginator(selectors.deliberations_visible_to(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "deliberations/my_list.html", {"deliberations": page.object_list, "page": page})


def _thread_context(request, deliberation) -> dict:
    posts = list(selectors.posts_for(request.user, deliberation))
    return {
        "deliberation": deliberation,
        "phase": deliberation.phase(),
        "threads": selectors.thread(posts),
        "can_post": deliberation.phase() == "open",
    }


@role_required(*PARTICIPANT_ROLES)
def thread(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    reply_to = None
    if is_int(request.GET.get("reply_to", "")):
        reply_to = selectors.posts_for(request.user, deliberation).filter(pk=request.GET["reply_to"]).first()
    form = PostForm(initial={"reply_to": reply_to.pk if reply_to else None})
    context = _thread_context(request, deliberation)
    context.update(
        form=form,
        reply_to=reply_to,
        suggestions=selectors.deliberation_suggestions(deliberation)
        if context["phase"] == "summarized"
        else [],
    )
    return render(request, "deliberations/thread.html", context)


@role_required(*PARTICIPANT_ROLES)
def thread_posts(request, pk):
    """The polled fragment: the whole thread, so hidden and pinned changes show up too."""
    deliberation = selectors.access_deliberation(request.user, pk)
    return render(request, "deliberations/_posts.html", _thread_context(request, deliberation))


@require_POST
@role_required(*PARTICIPANT_ROLES)
def post_create(request, pk):
    deliberation = selectors.access_deliberation(request.user, pk)
    form = PostForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        reply_to = None
        if data["reply_to"]:
            reply_to = Post.objects.filter(pk=data["reply_to"], deliberation=deliberation).first()
        post = _run(
            request,
            lambda: services.post_create(
                actor=request.user,
                deliberation=deliberation,
                content=data["content"],
                reply_to=reply_to,
                attachment=data["attachment"],
            ),
            "发言已发表。",
        )
        if post is not None:
            return redirect(reverse("deliberations:thread", args=[pk]) + f"#post-{post.pk}")
    else:
        _form_error(request, form)
    return redirect("deliberations:thread", pk=pk)


@require_POST
@role_required(*PARTICIPANT_ROLES)
def post_endorse(request, pk):
    post = selectors.access_post(request.user, pk)
    if request.htmx:  # the thread fragment comes back, with any refusal shown above it
        context = _thread_context(request, post.deliberation)
        try:
            services.post_endorse(actor=request.user, post=post)
        except (DomainError, PermissionDenied) as exc:
            context["endorse_error"] = getattr(exc, "message", None) or str(exc)
        else:
            context = _thread_context(request, post.deliberation)
        return render(request, "deliberations/_posts.html", context)
    _run(request, lambda: services.post_endorse(actor=request.user, post=post), "已赞同。")
    return redirect(reverse("deliberations:thread", args=[post.deliberation_id]) + f"#post-{post.pk}")


@role_required(*PARTICIPANT_ROLES)
def post_link(request, pk):
    post = selectors.access_post(request.user, pk)
    return redirect(reverse("deliberations:thread", args=[post.deliberation_id]) + f"#post-{post.pk}")
