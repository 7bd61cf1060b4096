import time
from collections import Counter

from django.core.management.base import BaseCommand

from explainer.models import Sentence
from quizzes import generation
from quizzes.services.builtin import DEFAULT_SEED, default_quizzes_generate, default_quizzes_mix


class Command(BaseCommand):
    help = (
        "Build the built-in quizzes (one per explainer and 'The whole story') from the fact base. "
        "Quizzes that exist already are kept. --dry-run prints every question instead, to read before it goes live; "
        "--report prints what each quiz's plan tests for the seed (types, understanding/recall/trivia, dates, "
        "events after 2009, facts asked more than once) and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Generator seed (default {DEFAULT_SEED}).")
        parser.add_argument("--dry-run", action="store_true", help="Print the questions; write nothing.")
        parser.add_argument(
            "--report", action="store_true", help="Print each quiz's mix of questions for the seed; write nothing."
        )

    def handle(self, *args, seed: int, dry_run: bool, report: bool = False, **options):
        if report:
            self._print_report(seed)
            return
        started = time.perf_counter()
        report = default_quizzes_generate(seed=seed, dry_run=dry_run)
        elapsed = time.perf_counter() - started
        if dry_run:
            sentences = dict(Sentence.objects.values_list("number", "text"))
            for slug, drafts in report.drafts.items():
                self._print_quiz(slug, drafts, sentences)
        for quiz in report.kept:
            self.stdout.write(f"Kept {quiz.title!r} ({quiz.slug}): it exists already.")
        for slug, drafts in report.drafts.items():
            kinds = Counter(draft.kind for draft in drafts)
            summary = ", ".join(f"{kinds[kind]} {kind}" for kind in generation.KINDS if kinds[kind])
            verb = "Would create" if dry_run else "Created"
            self.stdout.write(self.style.SUCCESS(f"{verb} {slug}: {len(drafts)} questions ({summary})."))
        self.stdout.write(f"Seed {seed}; generated in {elapsed * 1000:.0f} ms.")

    def _print_report(self, seed: int) -> None:
        *quizzes, (_, together) = default_quizzes_mix(seed=seed)
        for slug, mix in [*quizzes, (f"All built-in quizzes, seed {seed}", together)]:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{slug}:"))
            for line in mix.lines():
                self.stdout.write(f"  {line}")

    def _print_quiz(self, slug: str, drafts: list[generation.Draft], sentences: dict[int, str]) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(f"\n=== {slug} ==="))
        for number, draft in enumerate(drafts, start=1):
            self.stdout.write(f"\n{number}. [{draft.kind}] {draft.stem}")
            if draft.kind == generation.ORDERING:
                for place, option in enumerate(draft.options, start=1):
                    self.stdout.write(f"     {place}. {option.text}")
            elif draft.kind == generation.MATCHING:
                for option in draft.options:
                    self.stdout.write(f"     {option.text}  ->  {option.match}")
            elif draft.kind == generation.GAP_FILL:
                self.stdout.write(f"     accepted: {' | '.join(draft.accepted)}")
                if draft.rejected:
                    self.stdout.write(f"     rejected: {' | '.join(draft.rejected)}")
            else:
                for option in draft.options:
                    self.stdout.write(f"   {'KEY' if option.correct else '   '} {option.text}")
            self.stdout.write(f"     explanation: {draft.explanation}")
            source = f"fact {draft.fact_key}" if draft.fact_key else "no single fact"
            self.stdout.write(f"     source: {source}; topic {draft.topic or 'whole story'}")
            for n in draft.sentences:
                self.stdout.write(f"       s{n}: {sentences.get(n, '?')}")
            if draft.source_note:
                self.stdout.write(f"       note: {draft.source_note}")
