"""Loading the versioned content files (explainer/content) into the database.

`content_load` is idempotent: a second run creates nothing. A row whose values differ from
what was last loaded was edited in the admin; it is kept, and reported, unless `overwrite`.
Everything is validated before anything is written, and the load is one transaction.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction

from explainer.models import Article, Fact, GlossaryTerm, Member, Sentence, TimelineEvent, Topic
from explainer.reading_cache import changes_batched
from explainer.rendering import link_problems, render_uncached
from explainer.signals import content_loaded


class ContentError(Exception):
    """The content files are inconsistent; nothing was loaded."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], model: type[models.Model]) -> None:
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _fingerprint(values: dict[str, Any], relations: dict[str, list[models.Model]]) -> str:
    data = {name: _plain(value) for name, value in values.items()}
    data.update({name: sorted(obj.pk for obj in objs) for name, objs in relations.items()})
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _current_fingerprint(obj: models.Model, values: dict[str, Any], relations: dict[str, Any]) -> str:
    current = {name: getattr(obj, name) for name in values}
    current_relations = {name: list(getattr(obj, name).all()) for name in relations}
    return _fingerprint(current, current_relations)


def _sync(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    report: LoadReport,
    *,
    overwrite: bool,
    relations: dict[str, list[models.Model]] | None = None,
) -> models.Model:
    relations = relations or {}
    wanted = _fingerprint(values, relations)
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj, bucket = model(**lookup), report.created
    else:
        current = _current_fingerprint(obj, values, relations)
        if current == wanted:
            if obj.loaded_hash != wanted:
                model.objects.filter(pk=obj.pk).update(loaded_hash=wanted)
            report.count(report.unchanged, model)
            return obj
        if current != obj.loaded_hash and not overwrite:
            report.kept.append(f"{model._meta.verbose_name} {obj}")
            return obj
        bucket = report.updated
    for name, value in values.items():
        setattr(obj, name, value)
    obj.loaded_hash = wanted
    obj.full_clean()
    obj.save()
    for name, objs in relations.items():
        getattr(obj, name).set(objs)
    report.count(bucket, model)
    return obj


@dataclass
class ContentFiles:
    """Every content file, read and parsed once."""

    article: dict[str, Any]
    topics: dict[str, frontmatter.Post]  # by file name
    facts: list[dict[str, Any]]
    glossary: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    members: list[dict[str, Any]]


def _read_files(directory: Path) -> ContentFiles:
    def read_yaml(name: str) -> Any:
        with (directory / name).open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)

    try:
        return ContentFiles(
            article=read_yaml("article.yaml"),
            topics={path.name: frontmatter.load(path) for path in sorted((directory / "topics").glob("*.md"))},
            facts=read_yaml("facts.yaml"),
            glossary=read_yaml("glossary.yaml"),
            timeline=read_yaml("timeline.yaml"),
            members=read_yaml("members.yaml"),
        )
    except (OSError, yaml.YAMLError) as error:
        raise ContentError([f"cannot read the content files: {error}"]) from error


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _check_references(files: ContentFiles) -> list[str]:
    """Cross-file checks the models cannot make: every slug and sentence a file names exists."""
    problems = []
    sentences = set(range(1, len(files.article["sentences"]) + 1))
    topics = {page["slug"] for page in files.topics.values()}
    terms = {row["slug"] for row in files.glossary}

    for name, page in files.topics.items():
        rendered = render_uncached(page.content)
        problems += [
            f"{name}: {problem}" for problem in link_problems(rendered, sentences=sentences, glossary_slugs=terms)
        ]
    for row in files.facts:
        key = row.get("key", "?")
        problems += [f"fact {key}: unknown topic {t!r}" for t in row.get("topics", []) if t not in topics]
        problems += [f"fact {key}: sentence {n} does not exist" for n in row.get("sentences", []) if n not in sentences]
        if not row.get("topics"):
            problems.append(f"fact {key}: needs at least one topic")
        if not row.get("sentences") and not row.get("source_note"):
            problems.append(f"fact {key}: needs article sentences or a source note")
    for row in files.glossary:
        problems += [f"glossary {row['slug']}: unknown topic {t!r}" for t in row.get("topics", []) if t not in topics]
    for row in files.timeline:
        if row.get("topic") not in topics:
            problems.append(f"timeline {row.get('label')}: unknown topic {row.get('topic')!r}")
        problems += [
            f"timeline {row.get('label')}: sentence {n} does not exist"
            for n in row.get("sentences", [])
            if n not in sentences
        ]
    return problems


def content_load(*, directory: Path, overwrite: bool = False) -> LoadReport:
    """Load every content file in `directory`; raise ContentError (and write nothing) if they are inconsistent."""
    files = _read_files(directory)
    problems = _check_references(files)
    if problems:
        raise ContentError(problems)
    report = LoadReport()
    try:
        # Every cached reading page is retired once, when the load is over, whatever it changed.
        with changes_batched(), transaction.atomic():
            _load_all(files, report, overwrite=overwrite)
    except ValidationError as error:
        raise ContentError([str(message) for message in error.messages]) from error
    content_loaded.send(sender=content_load, report=report)
    return report


def _load_all(files: ContentFiles, report: LoadReport, *, overwrite: bool) -> None:
    data = files.article
    article = _sync(
        Article,
        {"source": data["source"], "published": _date(data["published"])},
        {
            "title": data["title"],
            "reprint": data.get("reprint", ""),
            "url": data.get("url", ""),
            "summary": data["summary"],
        },
        report,
        overwrite=overwrite,
    )
    sentences = {}
    for number, text in enumerate(data["sentences"], start=1):
        sentences[number] = _sync(
            Sentence, {"article": article, "number": number}, {"text": text}, report, overwrite=overwrite
        )

    topics = {}
    for page in files.topics.values():
        topics[page["slug"]] = _sync(
            Topic,
            {"slug": page["slug"]},
            {
                "title": page["title"],
                "summary": page["summary"],
                "body": page.content.strip() + "\n",
                "order": page.get("order", 0),
            },
            report,
            overwrite=overwrite,
        )

    for row in files.facts:
        _sync(
            Fact,
            {"key": str(row["key"])},
            {
                "kind": row["kind"],
                "statement": row["statement"].strip(),
                "question": (row.get("question") or "").strip(),
                "answers": [str(answer) for answer in row["answer"]],
                "accepted_spellings": [str(spelling) for spelling in row.get("accept") or []],
                "distractors": [str(distractor) for distractor in row.get("distractors") or []],
                "role": (row.get("role") or "").strip(),
                "source_note": (row.get("source_note") or "").strip(),
                "status": row["status"],
                "as_of": _date(row.get("as_of")),
                "claimed_by": row.get("claimed_by") or "",
                "note": (row.get("note") or "").strip(),
                "quizzable": row.get("quizzable", True),
            },
            report,
            overwrite=overwrite,
            relations={
                "topics": [topics[slug] for slug in row["topics"]],
                "sentences": [sentences[n] for n in row.get("sentences", [])],
            },
        )

    for order, row in enumerate(files.glossary, start=1):
        _sync(
            GlossaryTerm,
            {"slug": row["slug"]},
            {"term": row["term"], "definition": row["definition"].strip(), "order": order},
            report,
            overwrite=overwrite,
            relations={"topics": [topics[slug] for slug in row.get("topics", [])]},
        )

    for row in files.timeline:
        date = _date(row["date"])
        _sync(
            TimelineEvent,
            {"key": row.get("key") or date.isoformat()},
            {
                "date": date,
                "label": row["label"],
                "title": row["title"],
                "description": row["description"].strip(),
                "topic": topics[row["topic"]],
            },
            report,
            overwrite=overwrite,
            relations={"sentences": [sentences[n] for n in row.get("sentences", [])]},
        )

    for order, row in enumerate(files.members, start=1):
        _sync(
            Member,
            {"code": row["code"]},
            {
                "name": row["name"],
                "capital": row["capital"],
                "status_2009": row["status_2009"],
                "change": row.get("change") or "",
                "later_status": row["later_status"],
                "order": order,
            },
            report,
            overwrite=overwrite,
        )
