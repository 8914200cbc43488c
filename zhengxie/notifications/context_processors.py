from django.utils.functional import SimpleLazyObject

from .services import unread_count


def unread(request):
    """The bell's unread count on every page: one primary-key read of the user's counter, and only when
    a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
