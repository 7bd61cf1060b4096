from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from explainer.signals import content_loaded

        content_loaded.connect(_default_quizzes_after_load, dispatch_uid="quizzes.default_quizzes")


def _default_quizzes_after_load(sender, report, **kwargs) -> None:
    """A fresh database gets its built-in quizzes with its content; existing ones are kept."""
    from quizzes.services import default_quizzes_generate

    generated = default_quizzes_generate()
    if generated.created:
        report.notes.append("Built-in quizzes created: " + ", ".join(quiz.title for quiz in generated.created))
