from django.http import Http404

from .models import Job


def job_for(user, pk: int) -> Job:
    """The user's own job, or Http404 (another user's job is not said to exist)."""
    job = Job.objects.filter(pk=pk, owner_id=user.pk).first() if user.is_authenticated else None
    if job is None:
        raise Http404("任务不存在。")
    return job
