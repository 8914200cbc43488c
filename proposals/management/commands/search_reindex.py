"""Rebuild the words the list search (`q`) reads: proposals' title/content, attachment and reply words, and
社情民意 reports' words; with --files the text of every stored DOCX/PDF attachment and reply letter is
extracted again first (after an upgrade, or for files uploaded before text extraction existed)."""

from django.core.management.base import BaseCommand

BATCH = 1000


class Command(BaseCommand):
    help = "重建全文检索用的分词（提案、答复、附件、社情民意）；--files 先重新提取附件和答复函中的文字"

    def add_arguments(self, parser):
        parser.add_argument("--files", action="store_true", help="重新提取已上传 DOCX/PDF 文件中的文字")

    def handle(self, *args, files=False, **options):
        from proposals import search
        from proposals.models import Proposal, ProposalAttachment, Reply
        from sqyy.models import OpinionAttachment, OpinionReport
        from sqyy.services.reports import refresh_files as refresh_report_files
        from zhengxie.textsearch import file_text, index_texts

        if files:
            for model, field, target in (
                (ProposalAttachment, "file", "text"),
                (OpinionAttachment, "file", "text"),
                (Reply, "letter", "letter_text"),
            ):
                done = 0
                for row in model.objects.exclude(**{field: ""}).iterator(chunk_size=BATCH):
                    stored = getattr(row, field)
                    try:
                        with stored.open("rb") as handle:
                            text = file_text(handle, stored.name)
                    except (FileNotFoundError, OSError):
                        continue
                    model.objects.filter(pk=row.pk).update(**{target: text})
                    done += 1
                self.stdout.write(f"{model._meta.verbose_name}：提取文字 {done} 个文件")

        batch = []
        for row in Proposal.objects.only("pk", "title", "content").iterator(chunk_size=BATCH):
            fields = search.index_fields(row.title, row.content)
            row.search_title, row.search_content = fields["search_title"], fields["search_content"]
            batch.append(row)
            if len(batch) >= BATCH:
                Proposal.objects.bulk_update(batch, ["search_title", "search_content"])
                batch = []
        if batch:
            Proposal.objects.bulk_update(batch, ["search_title", "search_content"])
        ids = set(ProposalAttachment.objects.values_list("proposal_id", flat=True))
        for pk in ids:
            search.refresh_files(pk)
        replied = set(Reply.objects.values_list("assignment__proposal_id", flat=True))
        for pk in replied:
            search.refresh_replies(pk)
        self.stdout.write(f"提案：{Proposal.objects.count()} 件（有附件 {len(ids)}，有答复 {len(replied)}）")

        reports = 0
        batch = []
        for row in OpinionReport.objects.only(
            "pk", "title", "content", "edited_title", "edited_content"
        ).iterator(chunk_size=BATCH):
            row.search_title = index_texts(row.title, row.edited_title)
            row.search_content = index_texts(row.content, row.edited_content)
            batch.append(row)
            reports += 1
            if len(batch) >= BATCH:
                OpinionReport.objects.bulk_update(batch, ["search_title", "search_content"])
                batch = []
        if batch:
            OpinionReport.objects.bulk_update(batch, ["search_title", "search_content"])
        for pk in set(OpinionAttachment.objects.values_list("report_id", flat=True)):
            refresh_report_files(pk)
        self.stdout.write(f"社情民意：{reports} 篇")
