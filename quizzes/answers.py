"""How a stored answer reads next to the key: one row per option, item or pair, in the order
the student saw them. Shared by the student's feedback and the teacher's report."""

from dataclasses import dataclass

from quizzes.forms import PLACES
from quizzes.models import Attempt, Question, Response


@dataclass
class Row:
    """One line of an answered question: an option, item or pair, and how the answer fared."""

    text: str
    given: str = ""
    key: str = ""
    chosen: bool = False
    correct: bool = False


def answer_rows(attempt: Attempt, question: Question, response: Response) -> list[Row]:
    """What the student answered next to the key, in the order they saw it."""
    options = attempt.shuffled(question, question.options.all())
    answer = response.answer
    match question.kind:
        case Question.Kind.GAP_FILL:
            return [Row(text="", given=answer["text"], key=question.accepted_answers[0], correct=response.is_correct)]
        case Question.Kind.ORDERING:
            places = {pk: place for place, pk in enumerate(answer["order"], start=1)}
            key = {option.pk: place for place, option in enumerate(question.options.all(), start=1)}
            return [
                Row(
                    text=option.text,
                    given=PLACES[places[option.pk] - 1],
                    key=PLACES[key[option.pk] - 1],
                    correct=places[option.pk] == key[option.pk],
                )
                for option in sorted(options, key=lambda option: places.get(option.pk, 0))
            ]
        case Question.Kind.MATCHING:
            by_pk = {option.pk: option for option in options}
            pairs = {int(left): right for left, right in answer["pairs"].items()}
            return [
                Row(
                    text=option.text,
                    given=by_pk[pairs[option.pk]].match if pairs.get(option.pk) in by_pk else "",
                    key=option.match,
                    correct=pairs.get(option.pk) == option.pk,
                )
                for option in options
            ]
        case _:
            chosen = set(answer["options"])
            return [Row(text=option.text, chosen=option.pk in chosen, correct=option.is_correct) for option in options]
