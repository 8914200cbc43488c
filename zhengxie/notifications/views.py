from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required

from . import selectors, services
from .models import NotificationPreference


@login_required
def notification_list(request, archived: bool = False):
    unread_only = request.GET.get("unread") == "1" and not archived
    cursor = request.GET.get("after", "")
    rows, next_cursor = selectors.notifications_page(
        request.user, unread_only=unread_only, archived=archived, cursor=cursor
    )
    preference = NotificationPreference.objects.filter(user=request.user).first()
    return render(
        request,
        "notifications/list.html",
        {
            "page": rows,
            "next_cursor": next_cursor,
            "is_later_page": bool(cursor),
            "unread_only": unread_only,
            "archived": archived,
            "archive_days": settings.NOTIFICATION_ARCHIVE_DAYS,
            "preference": preference,
        },
    )


@login_required
def notification_archive(request):
    return notification_list(request, archived=True)


@login_required
@require_POST
def notification_read(request, pk):
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    target = notification.link if notification.link and request.POST.get("go") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notifications:list")


@login_required
@require_POST
def preference_update(request):
    services.notification_preference_set(
        actor=request.user, email=request.POST.get("email") == "on", sms=request.POST.get("sms") == "on"
    )
    messages.success(request, "提醒方式已保存。")
    return redirect("notifications:list")


@role_required(Role.STAFF, Role.LEADER)
def reminder_dashboard(request):
    return render(request, "notifications/reminders.html", selectors.reminder_stats())


@role_required(Role.STAFF)
@require_POST
def reminder_scan_now(request):
    """Enqueue the scan (it runs in the worker, never in this request); clicking again while one is
    queued or running enqueues nothing."""
    _, created = services.reminder_scan_request(actor=request.user)
    if created:
        messages.success(request, "已开始扫描，完成后刷新本页即可看到结果。")
    else:
        messages.info(request, "已有扫描在进行中，请稍后刷新本页查看结果。")
    return redirect("notifications:reminders")
