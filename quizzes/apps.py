from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from explainer.signals import content_loaded

        content_loaded.connect(_default_quizzes_after_load, dispatch_uid="quizzes.default_quizzes")
        user_logged_in.connect(_signed_in_session_age, dispatch_uid="quizzes.signed_in_session_age")


def _default_quizzes_after_load(sender, report, **kwargs) -> None:
    """A fresh database gets its built-in quizzes with its content; existing ones are kept."""
    from quizzes.services.builtin import default_quizzes_generate

    generated = default_quizzes_generate()
    if generated.created:
        report.notes.append("Built-in quizzes created: " + ", ".join(quiz.title for quiz in generated.created))


def _signed_in_session_age(sender, request, user, **kwargs) -> None:
    """Whatever signs a browser in (the student login, sign-up, the admin login), the session
    lasts two weeks, not a guest's school year. (The guest's progress goes into the account on
    the student login and sign-up alone: `quizzes.views.accounts`.)"""
    from django.conf import settings

    if request is not None:
        request.session.set_expiry(settings.SIGNED_IN_SESSION_AGE)
