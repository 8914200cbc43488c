def role(request):
    user = getattr(request, "user", None)
    return {"user_role": user.effective_role if user is not None and user.is_authenticated else None}
