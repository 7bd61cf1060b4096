"""Teachers' quizzes, classes and homework in the Django admin, one module per object.

owned.py holds what they share (rows scoped to their teacher, reports); quizzes.py, questions.py,
classes.py (classes and homework), live.py (live sessions) and facts.py (the fact admin's actions)
each register their admins when imported here.
"""

from quizzes.admin import classes, facts, live, questions, quizzes  # noqa: F401 (registers the admins)
