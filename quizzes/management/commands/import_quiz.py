from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from quizzes.interchange import FORMAT_NAMES, InterchangeError, loads
from quizzes.transfer import quiz_import


class Command(BaseCommand):
    help = (
        "Create a draft quiz from a GIFT or Moodle XML file (the format is detected). "
        "A file with any error imports nothing; every error is listed with its line. A question of a "
        "type this site lacks (essay, numerical, …) is skipped and listed, or refused with --strict."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The GIFT (.txt, .gift) or Moodle XML (.xml) file.")
        parser.add_argument("--owner", required=True, help="Username of the teacher who will own the quiz.")
        parser.add_argument(
            "--strict", action="store_true", help="Refuse the file if any question is of a type this site lacks."
        )

    def handle(self, *args, file: str, owner: str, strict: bool = False, **options):
        User = get_user_model()  # noqa: N806 (a class)
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: owner})
        except User.DoesNotExist:
            raise CommandError(f"No user called {owner!r}.") from None
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text: save it as UTF-8 and try again.") from None
        try:
            fmt, data = loads(text, strict=strict)
        except InterchangeError as error:
            raise CommandError(f"{file} was not imported; nothing was saved:\n{error}") from None
        quiz = quiz_import(data=data, owner=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created draft quiz {quiz.slug} with {len(data.questions)} questions from {FORMAT_NAMES[fmt]}."
            )
        )
        for skipped in data.skipped:  # questions of a type this site lacks
            self.stdout.write(self.style.WARNING(f"Not imported: {skipped}"))
        for warning in data.warnings:  # images and files the questions could not hold
            self.stdout.write(self.style.WARNING(f"Not imported: {warning}"))
