from celery import shared_task

from . import services


# A large export may take minutes: past the default soft limit, but never unbounded.
@shared_task(name="zhengxie.jobs.run_job", soft_time_limit=1800, time_limit=1900)
def run_job(job_id: int) -> None:
    services.job_run(job_id=job_id)


@shared_task(name="zhengxie.jobs.cleanup_jobs")
def cleanup_jobs() -> int:
    return services.jobs_cleanup()
