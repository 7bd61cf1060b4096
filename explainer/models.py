"""The reading side: the article and its sentences, explainer topics, the fact base,
the glossary, the timeline and the CSTO members shown on the map.

Every content model remembers a hash of the values `load_content` last wrote
(`loaded_hash`), so a later load can tell a teacher's admin edit from a stale row.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from markdown.extensions.toc import slugify

from explainer.text import plain


class ContentModel(models.Model):
    loaded_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the values last loaded from the content files.",
    )

    class Meta:
        abstract = True


class Article(ContentModel):
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=100, help_text="Who wrote the story, e.g. Reuters.")
    published = models.DateField()
    reprint = models.TextField(blank=True, help_text="Where and how the text we show was printed.")
    url = models.URLField(blank=True)
    summary = models.TextField(help_text="The story in three sentences (Markdown).")

    class Meta:
        ordering = ["published"]

    def __str__(self) -> str:
        return f"{self.title} ({self.source}, {self.published:%d %B %Y})"

    def get_absolute_url(self) -> str:
        return reverse("explainer:article")


class Sentence(ContentModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sentences")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="sentence_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="sentence_number_positive"),
        ]

    def __str__(self) -> str:
        return f"Sentence {self.number}: {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return f"{reverse('explainer:article')}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"s{self.number}"


class TopicQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("order", "title")


class Topic(ContentModel):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="One or two plain sentences for the home page.")
    body = models.TextField(
        help_text=(
            "Markdown. Cite the article as [sentence 3](/article/#s3); link a glossary term as "
            '[customs union](glossary:customs-union); call-outs as !!! dated "As of 2025".'
        )
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("explainer:topic", args=[self.slug])

    def section_for(self, sentence_numbers: list[int]) -> str:
        """The id of the first section (## heading) of the explainer that cites one of these sentences."""
        heading = ""
        for line in self.body.splitlines():
            if line.startswith("## "):
                heading = line.removeprefix("## ").strip()
            elif heading and any(f"(/article/#s{number})" in line for number in sentence_numbers):
                return slugify(heading, "-")
        return ""


class Fact(ContentModel):
    class Kind(models.TextChoices):
        DATE = "date", "Date"
        AMOUNT = "amount", "Amount"
        PERSON = "person", "Person"
        PLACE = "place", "Place or country"
        ORGANISATION = "organisation", "Organisation"
        MEMBERSHIP = "membership", "Membership"
        EVENT = "event", "Event"
        CAUSE_EFFECT = "cause_effect", "Cause and effect"
        QUOTATION = "quotation", "Quotation"
        RANKING = "ranking", "Ranking"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        NUANCE = "nuance", "Needs nuance"
        DATED = "dated", "Dated (true as of a date)"
        DISPUTED = "disputed", "Disputed"
        OPINION = "opinion", "Opinion"

    key = models.CharField(max_length=16, unique=True, help_text="Stable id, e.g. A09 or B-C4.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.TextField()
    question = models.TextField(blank=True, help_text="A direct question whose answer is the first answer.")
    answers = models.JSONField(default=list, help_text="The correct value(s), canonical first.")
    accepted_spellings = models.JSONField(
        default=list, blank=True, help_text="Other spellings accepted in a typed answer."
    )
    distractors = models.JSONField(
        default=list,
        blank=True,
        help_text="Wrong answers of the same type as the answer; never true for the question.",
    )
    role = models.CharField(
        max_length=100,
        blank=True,
        help_text="A person's role in 2009, for matching (e.g. Russia's president in June 2009).",
    )
    topics = models.ManyToManyField(Topic, related_name="facts")
    sentences = models.ManyToManyField(Sentence, related_name="facts", blank=True)
    source_note = models.TextField(blank=True, help_text="For a background fact: where it comes from.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    as_of = models.DateField(null=True, blank=True, help_text="For a dated fact: when it was true.")
    claimed_by = models.CharField(max_length=200, blank=True, help_text="For disputed claims and opinions.")
    note = models.TextField(blank=True, help_text="The accurate version, what changed, or who disputes it.")
    quizzable = models.BooleanField(default=True, help_text="Untick for facts that must never be asked.")

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="dated") | models.Q(as_of__isnull=False),
                name="fact_dated_has_as_of",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["disputed", "opinion"]) | ~models.Q(claimed_by=""),
                name="fact_attributed_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.statement[:70]}"

    def clean(self) -> None:
        if not isinstance(self.answers, list) or not all(isinstance(a, str) and a.strip() for a in self.answers):
            raise ValidationError({"answers": 'Give a list of one or more answers, e.g. ["6 June 2009"].'})
        if not self.answers:
            raise ValidationError({"answers": "A fact needs at least one answer."})
        distractors = self.distractors
        if not isinstance(distractors, list) or not all(isinstance(d, str) and d.strip() for d in distractors):
            raise ValidationError({"distractors": 'Give a list of wrong answers, e.g. ["13 June 2009"].'})
        spellings = self.accepted_spellings or []
        if not isinstance(spellings, list) or not all(isinstance(spelling, str) for spelling in spellings):
            raise ValidationError({"accepted_spellings": 'Give a list of other spellings, e.g. ["June 6, 2009"].'})
        right = {plain(value) for value in [*self.answers, *spellings]}
        if clash := [d for d in distractors if plain(d) in right]:
            raise ValidationError({"distractors": f"These are answers, not distractors: {', '.join(clash)}."})
        if len({plain(d) for d in distractors}) != len(distractors):
            raise ValidationError({"distractors": "Two distractors are the same."})
        if self.status == self.Status.DATED and not self.as_of:
            raise ValidationError({"as_of": "A dated fact needs the date it was true."})
        if self.status in {self.Status.DISPUTED, self.Status.OPINION} and not self.claimed_by:
            raise ValidationError(
                {"claimed_by": "Say who makes this claim: disputed claims and opinions are attributed."}
            )

    @property
    def anchor(self) -> str:
        return f"fact-{self.key}"


class GlossaryTerm(ContentModel):
    slug = models.SlugField(unique=True)
    term = models.CharField(max_length=200)
    definition = models.TextField()
    topics = models.ManyToManyField(Topic, related_name="glossary_terms", blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "term"]

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return f"{reverse('explainer:glossary')}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"


class TimelineEvent(ContentModel):
    key = models.SlugField(max_length=80, unique=True)
    date = models.DateField(help_text="First day of the event; events are shown in this order.")
    label = models.CharField(max_length=60, help_text="The date as shown, e.g. 8–11 Jan 2007.")
    title = models.CharField(max_length=200)
    description = models.TextField()
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="timeline_events")
    sentences = models.ManyToManyField(Sentence, related_name="timeline_events", blank=True)

    class Meta:
        ordering = ["date", "key"]

    def __str__(self) -> str:
        return f"{self.label}: {self.title}"

    @property
    def anchor(self) -> str:
        return f"event-{self.key}"


class Member(ContentModel):
    """A CSTO member state of June 2009, for the map."""

    class LaterStatus(models.TextChoices):
        MEMBER = "member", "Still a member"
        SUSPENDED = "suspended", "Membership suspended"
        FROZEN = "frozen", "Participation frozen"

    code = models.CharField(max_length=3, unique=True, help_text="ISO 3166 alpha-3 code.")
    name = models.CharField(max_length=100)
    capital = models.CharField(max_length=100, help_text="Capital in 2009.")
    status_2009 = models.CharField(max_length=200)
    change = models.CharField(max_length=300, blank=True, help_text="What changed later, with its date.")
    later_status = models.CharField(max_length=12, choices=LaterStatus.choices, default=LaterStatus.MEMBER)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
