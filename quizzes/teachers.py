"""The practice side's share of the "Teachers" group (see explainer/teachers.py).

Quizzes, questions, classes and homework: a teacher's own (the admin scopes every screen to its
owner; the built-in quizzes are a read-only library to view and duplicate).
"""

from explainer.teachers import Permissions

TEACHER_PERMISSIONS: Permissions = {
    "quiz": ("view", "add", "change", "delete"),
    "question": ("view", "add", "change", "delete"),
    "option": ("view", "add", "change", "delete"),
    "classroom": ("view", "add", "change", "delete"),
    "enrolment": ("view", "delete"),
    "assignment": ("view", "add", "change", "delete"),
    # Live sessions are started from a quiz (the admin's add page) and run from the host view.
    "livesession": ("view", "add", "delete"),
    "participant": ("view", "delete"),
}
