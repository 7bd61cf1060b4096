"""The practice side's models, one module per object (issue 17): a models package of the one app,
so the tables, migrations and permission names are those of `quizzes`.

- `questions`: quizzes, their questions and options.
- `classes`: teachers' classes, enrolments and homework.
- `learners`: learners, attempts, every answer given and the review cards FSRS schedules.
- `live`: live classroom sessions, their players and answers (rules in `quizzes/live/`).
- `accounts`: limits on sign-ups and password resets per address.
"""

from quizzes.models.accounts import AccountAttempt
from quizzes.models.classes import Assignment, Classroom, Enrolment, _class_code
from quizzes.models.learners import (
    SCHEDULER,
    Attempt,
    AttemptQuerySet,
    Learner,
    MarksField,
    Response,
    ReviewCard,
    ReviewCardQuerySet,
    seed_new,
)
from quizzes.models.live import (
    GRACE,
    JOIN_ALPHABET,
    JOIN_CODE_LENGTH,
    STAMP_TIMEOUT,
    FailedJoin,
    LiveAnswer,
    LiveSession,
    LiveSessionQuerySet,
    Participant,
    Stamp,
    join_code,
    stamp_key,
)
from quizzes.models.questions import Option, Question, QuestionQuerySet, Quiz, QuizQuerySet

__all__ = [
    "GRACE",
    "JOIN_ALPHABET",
    "JOIN_CODE_LENGTH",
    "SCHEDULER",
    "STAMP_TIMEOUT",
    "AccountAttempt",
    "Assignment",
    "Attempt",
    "AttemptQuerySet",
    "Classroom",
    "Enrolment",
    "FailedJoin",
    "Learner",
    "LiveAnswer",
    "LiveSession",
    "LiveSessionQuerySet",
    "MarksField",
    "Option",
    "Participant",
    "Question",
    "QuestionQuerySet",
    "Quiz",
    "QuizQuerySet",
    "Response",
    "ReviewCard",
    "ReviewCardQuerySet",
    "Stamp",
    "_class_code",
    "join_code",
    "seed_new",
    "stamp_key",
]
