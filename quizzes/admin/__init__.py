"""Teachers' quizzes, classes and homework in the Django admin (quizzes.py, for now)."""

from quizzes.admin import quizzes  # noqa: F401 (registers the admins)
