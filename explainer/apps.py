from django.apps import AppConfig


class ExplainerConfig(AppConfig):
    name = "explainer"
    verbose_name = "Reading content"

    def ready(self) -> None:
        from explainer.reading_cache import connect_signals

        connect_signals()
