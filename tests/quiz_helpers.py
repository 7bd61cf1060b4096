"""Building answers the way a browser posts them, from the attempt's tokens, and taking whole quizzes."""

from datetime import timedelta

from django.db.models import F
from django.urls import reverse

from quizzes import generation as g
from quizzes.models import Attempt, Question, Quiz, ReviewCard
from quizzes.services.questions import questions_save

HTMX = {"HX-Request": "true"}


def answer_data(attempt: Attempt, question: Question, *, right: bool = True) -> dict[str, str | list[str]]:
    """POST data answering `question` rightly, or wrongly when `right` is False."""
    options = list(question.options.all())
    match question.kind:
        case Question.Kind.GAP_FILL:
            return {"text": question.accepted_answers[0] if right else "Atlantis"}
        case Question.Kind.ORDERING:
            places = list(range(1, len(options) + 1))
            if not right:
                places.reverse()
            return {f"place-{attempt.token(o)}": str(place) for o, place in zip(options, places, strict=True)}
        case Question.Kind.MATCHING:
            matches = [attempt.token(o, "match") for o in options]
            if not right:
                matches = matches[1:] + matches[:1]
            return {f"match-{attempt.token(o)}": m for o, m in zip(options, matches, strict=True)}
        case Question.Kind.MULTIPLE:
            chosen = [o for o in options if o.is_correct == right]
            return {"choices": [attempt.token(o) for o in chosen]}
        case _:
            chosen = next(o for o in options if o.is_correct == right)
            return {"choice": attempt.token(chosen)}


def quiz_take(client, slug: str = "milk-war", *, right=lambda number, question: True) -> Attempt:
    """Start a quiz as `client` and answer every question, rightly where `right(number, question)` says."""
    response = client.post(reverse("quizzes:start", args=[slug]))
    attempt = Attempt.objects.get(public_id=response["Location"].split("/")[2])
    attempt_answer(client, attempt, right=right)
    return attempt


def attempt_answer(client, attempt: Attempt, *, right=lambda number, question: True) -> None:
    """Answer every question of `attempt` through its pages, as a browser without JavaScript would."""
    for number, question in enumerate(attempt.quiz.questions.prefetch_related("options"), start=1):
        url = reverse("quizzes:question", args=[attempt.public_id, number])
        response = client.post(url, answer_data(attempt, question, right=right(number, question)))
        assert response.status_code == 302, response.content
    attempt.refresh_from_db()


def wrong_first(count: int):
    """For `quiz_take`: answer the first `count` questions wrongly and the rest rightly."""
    return lambda number, question: number > count


def minutes_pass(minutes: int) -> None:
    """Let time pass for every review card: their due times move into the past."""
    ReviewCard.objects.update(due=F("due") - timedelta(minutes=minutes))


def review_begin(client) -> Attempt:
    """Press "Review now" as `client`: the review round it opens."""
    response = client.post(reverse("quizzes:review-start"))
    assert response.status_code == 302
    return Attempt.objects.get(public_id=response["Location"].split("/")[2])


def choice_draft(stem: str = "Where was the summit?", key: int = 0) -> g.Draft:
    texts = ["Moscow", "Minsk", "Tashkent", "Astana"]
    return g.Draft(
        kind=g.SINGLE,
        stem=stem,
        options=tuple(g.DraftOption(text, correct=index == key) for index, text in enumerate(texts)),
        explanation="The summit was in Moscow.",
        topic="csto",
        sentences=(5,),
    )


def draft_quiz_of(teacher) -> Quiz:
    """A draft quiz of `teacher`'s, with one single-choice question (key: Moscow)."""
    quiz = Quiz.objects.create(slug="ivanova-milk", title="Ms Ivanova's milk war", owner=teacher)
    questions_save(quiz=quiz, drafts=[choice_draft()])
    return quiz


def change_url(obj) -> str:
    """The admin's change page of `obj`."""
    return reverse(f"admin:quizzes_{obj._meta.model_name}_change", args=[obj.pk])
