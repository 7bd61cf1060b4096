"""What GIFT and Moodle XML share: the quiz as plain data, the error that refuses a file, the
limits a file is held to, and the notes both writers make on what they approximate."""

import re
from dataclasses import dataclass, replace

from explainer.text import invisible_strip
from quizzes.generation import GAP_FILL, KIND_LABELS, MULTIPLE, TRUE_FALSE, Draft, DraftOption, question_problems

GIFT = "gift"
MOODLE_XML = "moodlexml"
FORMATS = (GIFT, MOODLE_XML)
FORMAT_NAMES = {GIFT: "GIFT", MOODLE_XML: "Moodle XML"}

# The database's limits (Quiz.title, Option.text and Option.match): a longer value is refused on
# import rather than cut.
TITLE_MAX = 200
OPTION_MAX = 300
NAME_MAX = 255  # Question.name, as Moodle's question name
CATEGORY_MAX = 500  # Question.category, a Moodle category path
MIN_PAIRS = 3  # ordering and matching; Moodle's matching needs three as well
# A quiz file is small: these caps refuse a file built to make the preview or the database crawl,
# and bound the work spent on one: a reader stops at the first question or answer over them.
MAX_QUESTIONS = 200
MAX_OPTIONS = 50
ERRORS_SHOWN = 50  # a file with more problems is listed this far, then "and N more"
WEIGHT_MAX = 100  # a GIFT weight or a Moodle fraction is a percentage, from -100 to 100
# The grades Moodle allows an answer (question_bank::fraction_options_full), and their negatives;
# Moodle's importer refuses a file with any other (match_grade_options, within 0.00001).
MOODLE_GRADES = (1, 0.9, 5 / 6, 0.8, 0.75, 0.7, 2 / 3, 0.6, 0.5, 0.4, 1 / 3, 0.3, 0.25, 0.2, 1 / 6, 1 / 7, 0.125)
MOODLE_GRADES += (1 / 9, 0.1, 0.05, 0)
GRADE_TOLERANCE = 0.00001
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
C0_CONTROLS = "".join(map(chr, range(32))) + "\x7f"
SUPPORTED = "single or multiple choice, true/false, short answer, numerical, matching and ordering"

type Problems = list[tuple[int, str]]


@dataclass(frozen=True)
class QuizData:
    """A quiz as plain data. `warnings`, on a quiz read from a file: what the file held that
    this site cannot, and was dropped (images and attached files), one line per question."""

    title: str
    description: str = ""
    questions: tuple[Draft, ...] = ()
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # "line 2: essay, skipped": questions of a type this site lacks


class InterchangeError(ValueError):
    """A file that cannot be imported. `errors` is (line, message), in line order, the first
    ERRORS_SHOWN of them; `more` counts the rest."""

    def __init__(self, errors: Problems):
        ordered = sorted(errors, key=lambda error: error[0])
        self.errors = ordered[:ERRORS_SHOWN]
        self.more = len(ordered) - len(self.errors)
        super().__init__("\n".join(self.messages()))

    def messages(self) -> list[str]:
        """One line per error shown ("line 3: …"), then how many more there are."""
        lines = [f"line {line}: {message}" for line, message in self.errors]
        if self.more:
            lines.append(f"… and {self.more} more problem{'s' if self.more > 1 else ''}: correct these first.")
        return lines


def text_clean(text: str) -> str:
    """Imported text as this site stores any text people read: without right-to-left overrides,
    zero-width characters and their kind (explainer.text.invisible_strip, as for nicknames).
    Newlines and tabs stay; other control characters stay too, to be refused with their line
    (draft_problems): a NUL in a quiz file is a broken file, not a typing slip."""
    return invisible_strip(text, keep=C0_CONTROLS).strip()


def weight_problem(value: str, *, graded: bool = True) -> str | None:
    """What is wrong with `value` as a GIFT weight or a Moodle fraction (a percentage), or None.
    A grade must be one Moodle allows; an ordering's fractions (`graded=False`) only number its items."""
    shown = repr(shortened(value))
    try:
        number = float(value)
    except ValueError:
        return f"{shown} is not a number"
    if not -WEIGHT_MAX <= number <= WEIGHT_MAX:  # False for NaN, so NaN is refused too
        return f"{shown} is not a percentage from -{WEIGHT_MAX} to {WEIGHT_MAX}"
    if graded and not any(abs(abs(number) / 100 - grade) < GRADE_TOLERANCE for grade in MOODLE_GRADES):
        return f"{shortened(value.strip())}% is not a grade Moodle allows (100, 90, 83.33333, 80, 75, 70, 66.66667, …)"
    return None


def shortened(text: str, length: int = 40) -> str:
    """`text` as quoted in a message: a file may hold a megabyte where a word was expected."""
    return text if len(text) <= length else text[: length - 1] + "…"


def too_long(text: str, line: int, errors: Problems) -> None:
    if len(text) > OPTION_MAX:
        errors.append((line, f"an answer is longer than {OPTION_MAX} characters"))


def texts(draft: Draft) -> list[str]:
    options = [text for option in draft.options for text in (option.text, option.match)]
    feedback = [option.feedback for option in draft.options] + [note for _, note in draft.answer_feedback]
    return [draft.stem, draft.explanation, draft.name, *options, *feedback, *draft.accepted, *draft.rejected]


def draft_problems(draft: Draft, line: int) -> Problems:
    """What the admin would refuse in this question (see generation.question_problems), and what
    no database should store: control characters, and more answers than a question holds."""
    problems = [
        (line, message)
        for message in question_problems(
            draft.kind, [(o.text, o.correct, o.match) for o in draft.options], list(draft.accepted)
        )
    ]
    if any(CONTROL.search(text) for text in texts(draft)):
        problems.append((line, "a control character (such as NUL) is in the text: remove it"))
    if len(draft.category) > CATEGORY_MAX:
        problems.append((line, f"the category path is longer than {CATEGORY_MAX} characters"))
    if len(draft.name) > NAME_MAX:
        problems.append((line, f"the question name is longer than {NAME_MAX} characters"))
    if len(draft.options) > MAX_OPTIONS:
        problems.append((line, f"more than {MAX_OPTIONS} answers in one question"))
    return problems


@dataclass(frozen=True)
class Skip:
    """A question of a type this site lacks: `what` it is ("essay") and, for a strict import or a
    file with nothing else in it, the error that refuses it."""

    line: int
    what: str
    error: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}, skipped"


def skips_settle(skips: list[Skip], errors: Problems, *, strict: bool, importable: bool) -> tuple[str, ...]:
    """The skipped questions' lines for QuizData.skipped; or, when `strict` or when nothing else
    can be imported, their errors added to `errors`."""
    if strict or not importable:
        errors.extend((skip.line, skip.error) for skip in skips)
        return ()
    return warnings_capped([str(skip) for skip in skips], what="questions were skipped")


def too_many_questions(line: int) -> tuple[int, str]:
    return (line, f"more than {MAX_QUESTIONS} questions: split the file")


def dropped_warning(line: int, dropped: list[str]) -> str:
    """The warning for one question that lost images or files (see markup.DroppedMedia)."""
    shown = ", ".join(dropped[:5]) + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else "")
    return f"line {line}: dropped {shown} (questions here hold text only)"


def warnings_capped(warnings: list[str], what: str = "questions lost images or files") -> tuple[str, ...]:
    if len(warnings) <= ERRORS_SHOWN:
        return tuple(warnings)
    return (*warnings[:ERRORS_SHOWN], f"… and {len(warnings) - ERRORS_SHOWN} more {what}.")


# Moodle category paths


def category_path(title: str) -> str:
    # Moodle splits category paths at "/" and reads "//" as a slash in a name.
    return "$course$/top/" + " ".join(title.split()).replace("/", "//")


def own_category(title: str) -> str:
    """The category a quiz's questions are written in unless they name another."""
    return category_path(title) if title.strip() else "$course$/top"


def category_clean(path: str) -> str:
    """A category path as read: spaces collapsed (a path is one line of GIFT)."""
    return " ".join(text_clean(path).split())


def categories_settle(drafts: list[Draft], title: str) -> tuple[Draft, ...]:
    """The questions, each keeping its category only where it is not the quiz's own."""
    own = own_category(title)
    return tuple(replace(draft, category="") if draft.category == own else draft for draft in drafts)


def category_title(path: str) -> str:
    """The last name in a Moodle category path ("$course$/top/Milk war" gives "Milk war")."""
    names = re.split(r"(?<!/)/(?!/)", path.strip())
    name = names[-1].replace("//", "/").strip() if names else ""
    return "" if name in {"$course$", "$system$", "$module$", "$coursecategory$", "top"} else name


# What neither format holds, and the approximations both make.


def sources_note(quiz: QuizData, fmt: str) -> list[str]:
    count = sum(
        1
        for draft in quiz.questions
        if draft.fact_key or draft.sentences or draft.source_note or draft.topic or draft.item_keys
    )
    if not count:
        return []
    questions = "question loses its" if count == 1 else "questions lose theirs"
    return [
        f"Sources (fact, topic, article sentences, source note) are not part of {FORMAT_NAMES[fmt]}; "
        f"{count} {questions}."
    ]


def label(number: int, draft: Draft) -> str:
    return f"Q{number} ({KIND_LABELS.get(draft.kind, draft.kind)})"


def weights(draft: Draft) -> tuple[str, str]:
    """Moodle's weights for a multiple select: the right answers share 100%, a wrong one costs 100%.

    Moodle only takes grades from its list (1/2, 1/3, … 1/10, 1/20); five decimals hit them."""
    right = sum(option.correct for option in draft.options) or 1
    share = f"{100 / right:.5f}".rstrip("0").rstrip(".")
    return share, "-100"


def fraction_of(percentage: float) -> float:
    """A percentage (33.33333) as the fraction Moodle stores (0.3333333, seven decimals)."""
    return round(percentage / 100, 7)


def numerical_parts(
    values: list[str], tolerances: list[float], weights: list[float], notes: list[tuple[str, str]]
) -> dict:
    """A numerical question's fields as both formats read them: weights only where one is not
    full marks, feedback keyed by the number and its margin ("*" for any other number)."""
    return {
        "accepted": tuple(values),
        "tolerances": tuple(tolerances),
        "accepted_weights": () if all(weight == 1.0 for weight in weights) else tuple(weights),
        "answer_feedback": tuple(notes),
    }


def percent(fraction: float) -> str:
    """A fraction (0.5) as the percentage Moodle writes ("50"), to five decimals ("33.33333")."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".") if fraction else "0"


def option_percent(option: DraftOption, share: str, wrong: str) -> str:
    """A multiple select's option as a Moodle percentage: its own weight, from the file it came
    from, or else this site's (`weights`)."""
    if option.weight is not None:
        return percent(option.weight)
    return share if option.correct else wrong


def true_false_key(draft: Draft) -> bool | None:
    """Whether a true/false question's key is True; None when its options are not exactly True and False."""
    if draft.kind != TRUE_FALSE:
        return None
    options = sorted(option.text for option in draft.options)
    right = [option for option in draft.options if option.correct]
    if options != ["False", "True"] or len(right) != 1:
        return None
    return right[0].text == "True"


def common_notes(number: int, draft: Draft) -> list[str]:
    name = label(number, draft)
    notes = []
    if draft.kind == MULTIPLE and all(option.weight is None for option in draft.options):
        share, wrong = weights(draft)
        notes.append(
            f"{name}: Moodle gives part marks where this site marks all or nothing; written as {share}% "
            f"for each right answer and {wrong}% for each wrong one."
        )
        if weight_problem(share):
            notes.append(
                f"{name}: {share}% is not a grade Moodle allows (no equal share for this many right answers): "
                "Moodle will refuse the file until the question has at most 10 right answers."
            )
    if draft.kind == GAP_FILL:
        rejected = (
            f"; its {len(draft.rejected)} wrong answers are written at 0%, which Moodle refuses only when typed "
            "exactly, not inside a longer answer"
            if draft.rejected
            else ""
        )
        notes.append(
            f"{name}: Moodle accepts only the listed answers as typed, without this site's tolerance of "
            f"slips and extra words{rejected}."
        )
    if draft.kind == TRUE_FALSE and true_false_key(draft) is None:
        notes.append(f"{name}: its options are not exactly True and False; written as single choice.")
    return notes
