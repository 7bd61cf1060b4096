"""A choice question's options as the room names them: in the session's order, each with a letter,
a shape and a colour, the same on the projector and every phone."""

from dataclasses import dataclass

from quizzes.generation import CHOICE_KINDS
from quizzes.models import LiveSession, Question


@dataclass(frozen=True)
class Marker:
    """How an option is named on the projector and on every phone alike: a letter, a shape and
    a colour, so that "I answered B" means one thing in the room (and colour is never alone)."""

    letter: str
    shape: str
    colour: str


SHAPES = ("▲", "◆", "●", "■", "★", "⬟")
COLOURS = ("red", "blue", "amber", "green", "purple", "teal")


def marker(index: int) -> Marker:
    """The marker of the option shown `index`-th (from 0) in the session's order."""
    return Marker(chr(ord("A") + index % 26), SHAPES[index % len(SHAPES)], COLOURS[index % len(COLOURS)])


@dataclass(frozen=True)
class Tile:
    marker: Marker
    text: str
    is_key: bool
    option_id: int  # for the server's counts only: never written into a page


def tiles(session: LiveSession, question: Question) -> list[Tile]:
    """A choice question's options in the session's order, each with its marker (options prefetched)."""
    if question.kind not in CHOICE_KINDS:
        return []
    options = session.deck().shuffled(question, question.options.all())
    return [Tile(marker(index), option.text, option.is_correct, option.pk) for index, option in enumerate(options)]


def chosen(session: LiveSession, question: Question, answer: dict) -> list[tuple[Marker, str]]:
    """A choice answer as the room names it: B (and its text), B and D… (options prefetched)."""
    picked = set(answer.get("options", []))
    return [(tile.marker, tile.text) for tile in tiles(session, question) if tile.option_id in picked]
