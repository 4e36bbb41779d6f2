from django.apps import AppConfig


class CcoConfig(AppConfig):
    name = "cco"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from cco import checks  # noqa: F401 - registers the start-up checks
