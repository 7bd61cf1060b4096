import time
from collections import Counter

from django.core.management.base import BaseCommand

from explainer.models import Sentence
from quizzes import generation
from quizzes.services import DEFAULT_SEED, default_quizzes_generate


class Command(BaseCommand):
    help = (
        "Build the built-in quizzes (one per explainer and 'The whole story') from the fact base. "
        "Quizzes that exist already are kept. --dry-run prints every question instead, to read before it goes live."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Generator seed (default {DEFAULT_SEED}).")
        parser.add_argument("--dry-run", action="store_true", help="Print the questions; write nothing.")

    def handle(self, *args, seed: int, dry_run: bool, **options):
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
