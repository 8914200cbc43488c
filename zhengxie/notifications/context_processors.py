from django.utils.functional import SimpleLazyObject

from .selectors import notifications_of


def unread(request):
    """The bell's unread count on every page; counted only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: notifications_of(user, unread_only=True).count())}
