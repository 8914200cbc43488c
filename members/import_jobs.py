"""The member roster's admin upload as a background job (see zhengxie.accounts.import_jobs)."""

from zhengxie.accounts.import_jobs import run_roster_import


def members_import_job(job, out, progress):
    from .services import members_import

    def service(**kwargs):
        return members_import(progress=progress, **kwargs)

    return run_roster_import(job, out, progress, service=service, name_label="姓名")
