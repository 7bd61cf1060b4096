from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from quizzes import live


class Command(BaseCommand):
    help = (
        "End every live session (lobbies included) in which nothing has happened for a day: no "
        "question opened, nobody joined or answered. Their answers are scored and their codes freed. "
        "`make serve` runs it before the server starts; a cron job may run it too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=int(live.IDLE_AFTER.total_seconds() // 3600), help="Idle for this long (24)."
        )

    def handle(self, *args, hours: int, **options):
        if hours < 1:
            raise CommandError("Give at least 1 hour.")
        ended = live.sessions_end_idle(idle=timedelta(hours=hours))
        if not ended:
            self.stdout.write(f"No live session has been idle for {hours} hours.")
            return
        codes = ", ".join(session.code for session in ended)
        self.stdout.write(self.style.SUCCESS(f"Ended {len(ended)} idle live session(s), freeing their codes: {codes}."))
