"""Building answers the way a browser posts them, from the attempt's tokens."""

from quizzes.models import Attempt, Question


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
