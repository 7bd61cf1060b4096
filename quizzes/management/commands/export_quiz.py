from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.interchange import FORMAT_NAMES, FORMATS
from quizzes.models import Quiz
from quizzes.transfer import quiz_export


class Command(BaseCommand):
    help = (
        "Write a quiz as GIFT or Moodle XML, to import into Moodle or another site. "
        "The file goes to stdout (or --output); notes on what the format cannot hold go to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The quiz's slug, as in its address: /quizzes/<slug>/.")
        parser.add_argument("--format", dest="fmt", choices=FORMATS, required=True, help="gift or moodlexml.")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args, slug: str, fmt: str, output: str | None, **options):
        # A review round belongs to one learner: not a quiz to hand on.
        quiz = Quiz.objects.exclude(status=Quiz.Status.REVIEW).filter(slug=slug).first()
        if quiz is None:
            raise CommandError(f"No quiz with the slug {slug!r}.")
        text, notes = quiz_export(quiz=quiz, fmt=fmt)
        for note in notes:
            self.stderr.write(f"Note: {note}")
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        count = quiz.questions.accepted().count()
        self.stdout.write(self.style.SUCCESS(f"Wrote {slug} ({count} questions) as {FORMAT_NAMES[fmt]} to {output}."))
