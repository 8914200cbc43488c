"""Every kind of background job and the function that runs it (imported when a job runs, so this module
depends on no app). A runner is `run(job, out, progress) -> Result`: it writes its file into `out` (a binary
temporary file), calls `progress(done, total)` now and then, and raises InvalidInput / DomainError with a
message for the user when the work cannot be done."""

from dataclasses import dataclass


@dataclass
class Result:
    name: str = ""  # the download's file name; "" when the job has no file (an import preview)
    content_type: str = "application/octet-stream"
    message: str = ""  # shown on the job page (an import's summary)
    once: bool = False  # the file is removed after its first download (activation links)
    # A next step offered on the job page when it is done (an import's preview: 确认导入), POSTed there.
    action_url: str = ""
    action_label: str = ""


RUNNERS = {
    "proposal_register": "proposals.exports.register_job",
    "all_assignments": "proposals.season_documents.all_assignments_job",
    "sector_reports": "members.exports.sector_reports_job",
    "members_import": "members.import_jobs.members_import_job",
    "departments_import": "zhengxie.accounts.import_jobs.departments_import_job",
}


def runner(kind: str):
    from django.utils.module_loading import import_string

    return import_string(RUNNERS[kind])
