from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "recordroom.core"
    label = "core"
    verbose_name = "Recordroom core"

    def ready(self) -> None:
        from recordroom.core import checks  # noqa: F401  (registers the system checks)
