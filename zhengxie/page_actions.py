"""How a page calls one service: a refusal becomes a message on the page and nothing changes.

Every app's views use these two instead of keeping their own copies.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied

from zhengxie.workflow.errors import DomainError


def form_error(request, form) -> None:
    """Show a form's errors as one Chinese message, each prefixed with its field's label."""
    errors = [
        f"{form.fields[k].label or k}：{e}" if k in form.fields else e
        for k, es in form.errors.items()
        for e in es
    ]
    messages.error(request, "；".join(errors) or "输入有误。")


def run_action(request, call, success: str, *, refusal_as_message: bool = False):
    """Call one (atomic) service. On a domain error show its message and answer None; otherwise show
    `success` and answer the service's result (True when it returns nothing).

    A PermissionDenied normally propagates (the page answers 403); with `refusal_as_message` it is shown
    like a domain error, for pages where the refusal depends on the object's state rather than the role.
    """
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    except PermissionDenied as exc:
        if not refusal_as_message:
            raise
        messages.error(request, str(exc) or "您无权执行此操作。")
        return None
    messages.success(request, success)
    return True if result is None else result
