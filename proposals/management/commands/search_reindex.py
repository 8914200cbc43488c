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

        def title_content(row):
            fields = search.index_fields(row.title, row.content)
            row.search_title, row.search_content = fields["search_title"], fields["search_content"]

        rewrite(
            Proposal.objects.only("pk", "title", "content"), ["search_title", "search_content"], title_content
        )
        ids = set(ProposalAttachment.objects.values_list("proposal_id", flat=True))
        for pk in ids:
            search.refresh_files(pk)

        def reply(row):
            row.search_words = search.reply_words(row.content, row.letter_text)

        rewrite(Reply.objects.only("pk", "content", "letter_text"), ["search_words"], reply)
        replied = set(Reply.objects.values_list("assignment__proposal_id", flat=True))
        for pk in replied:
            search.refresh_replies(pk)
        self.stdout.write(f"提案：{Proposal.objects.count()} 件（有附件 {len(ids)}，有答复 {len(replied)}）")

        def report(row):
            row.search_title = index_texts(row.title, row.edited_title)
            row.search_content = index_texts(row.content, row.edited_content)

        reports = rewrite(
            OpinionReport.objects.only("pk", "title", "content", "edited_title", "edited_content"),
            ["search_title", "search_content"],
            report,
        )
        for pk in set(OpinionAttachment.objects.values_list("report_id", flat=True)):
            refresh_report_files(pk)
        self.stdout.write(f"社情民意：{reports} 篇")


def rewrite(rows, fields, compute) -> int:
    """compute(row) sets `fields` on each row; saved in batches of BATCH. Returns the number of rows."""
    batch, done = [], 0
    for row in rows.iterator(chunk_size=BATCH):
        compute(row)
        batch.append(row)
        done += 1
        if len(batch) >= BATCH:
            rows.model.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        rows.model.objects.bulk_update(batch, fields)
    return done
