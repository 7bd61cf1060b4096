from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from explainer.services import ContentError, content_load


class Command(BaseCommand):
    help = (
        "Load the article, explainers, facts, glossary, timeline and map data from the content files. "
        "Safe to run again: it creates nothing twice and keeps rows a teacher edited in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.CONTENT_DIR), help="Content folder.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace rows edited in the admin with the files' version."
        )

    def handle(self, *args, directory: str, overwrite: bool, **options):
        try:
            report = content_load(directory=Path(directory), overwrite=overwrite)
        except ContentError as error:
            problems = "\n- ".join(error.problems)
            raise CommandError(f"The content files have problems; nothing was loaded:\n- {problems}") from None
        for label, bucket in (
            ("Created", report.created),
            ("Updated", report.updated),
            ("Unchanged", report.unchanged),
        ):
            if bucket:
                self.stdout.write(f"{label}: " + ", ".join(f"{count} {name}" for name, count in bucket.items()))
        for row in report.kept:
            self.stdout.write(self.style.WARNING(f"Kept the admin edit of {row} (run with --overwrite to replace it)."))
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(self.style.SUCCESS("Content loaded."))
