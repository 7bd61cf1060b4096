"""How a stored answer reads next to the key: one row per option, item or pair, in the order
the student saw them, with the question's sources. Shared by the student's feedback and score
page and the teacher's report."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects

from explainer.models import Sentence
from quizzes import grading
from quizzes.generation import number_key, ordinal
from quizzes.models import Attempt, Question, Response


def with_sources(questions: list[Question]) -> list[Question]:
    """Fetch the options and source sentences of `questions` (only those that will be shown)."""
    prefetch_related_objects(questions, "options", Prefetch("sentences", queryset=Sentence.objects.order_by("number")))
    return questions


def section_url(question: Question) -> str:
    """The explainer section a question comes from: the first one that cites its sentences."""
    if question.topic is None:
        return ""
    section = question.topic.section_for([sentence.number for sentence in question.sentences.all()])
    return f"{question.topic.get_absolute_url()}#{section}" if section else question.topic.get_absolute_url()


@dataclass
class Row:
    """One line of an answered question: an option, item or pair, and how the answer fared."""

    text: str
    given: str = ""
    key: str = ""
    chosen: bool = False
    correct: bool = False
    feedback: str = ""  # what the teacher wrote for this answer, shown when it was given


def typed_feedback(question: Question, given: str) -> str:
    """The feedback written for the answer a student typed: the answer it gives (as it is graded),
    else Moodle's "*" (any other answer), else none."""
    notes = question.answer_feedback or {}
    if question.kind == Question.Kind.NUMERICAL:
        for index, value in enumerate(question.accepted_answers):
            tolerance = float(question.tolerances[index]) if index < len(question.tolerances) else 0.0
            key = number_key(value, tolerance)
            if key in notes and grading.number_score(given, [value], [tolerance]) > 0:
                return notes[key]
        return notes.get("*", "")
    written = [answer for answer in (*question.accepted_answers, *question.rejected_answers) if answer in notes]
    for answer in written:
        others = [other for other in written if other != answer and other != "*"]
        if answer != "*" and grading.text_matches(given, [answer], others):
            return notes[answer]
    return notes.get("*", "")


def _place(place: int | None) -> str:
    return ordinal(place) if place else ""


def answer_rows(attempt: Attempt, question: Question, response: Response) -> list[Row]:
    """What the student answered next to the key, in the order they saw it.

    Tolerant of an answer stored before the question last changed (the admin allows only its
    wording to change once answered, but older data may differ): what is missing shows blank."""
    options = attempt.shuffled(question, question.options.all())
    answer = response.answer
    match question.kind:
        case Question.Kind.GAP_FILL | Question.Kind.NUMERICAL:
            key = question.key_text()[0] if question.accepted_answers else ""
            given = answer.get("text", "")
            feedback = typed_feedback(question, given)
            return [Row(text="", given=given, key=key, correct=response.is_correct, feedback=feedback)]
        case Question.Kind.ORDERING:
            places = {pk: place for place, pk in enumerate(answer.get("order", []), start=1)}
            key = {option.pk: place for place, option in enumerate(question.options.all(), start=1)}
            return [
                Row(
                    text=option.text,
                    given=_place(places.get(option.pk)),
                    key=_place(key[option.pk]),
                    correct=places.get(option.pk) == key[option.pk],
                )
                for option in sorted(options, key=lambda option: places.get(option.pk, 0))
            ]
        case Question.Kind.MATCHING:
            by_pk = {option.pk: option for option in options}
            pairs = {int(left): right for left, right in answer.get("pairs", {}).items()}
            return [
                Row(
                    text=option.text,
                    given=by_pk[pairs[option.pk]].match if pairs.get(option.pk) in by_pk else "",
                    key=option.match,
                    correct=pairs.get(option.pk) == option.pk,
                )
                for option in options
                if option.text  # an extra wrong match is no item
            ]
        case _:
            chosen = set(answer.get("options", []))
            return [
                Row(
                    text=option.text,
                    chosen=option.pk in chosen,
                    correct=option.is_correct,
                    feedback=option.feedback if option.pk in chosen else "",
                )
                for option in options
            ]


def attempt_review(attempt: Attempt, questions: Sequence[Question]) -> list[dict]:
    """Every question of the attempt (with sources fetched) with the answer given, if any."""
    responses = {response.question_id: response for response in attempt.responses.all()}
    return [
        {
            "number": number,
            "question": question,
            "response": responses.get(question.pk),
            "rows": answer_rows(attempt, question, responses[question.pk]) if question.pk in responses else [],
            "section_url": section_url(question),
        }
        for number, question in enumerate(questions, start=1)
    ]
