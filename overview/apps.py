from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """The roof: the executive overview, its panels, CSVs and the weekly digest.

    It reads the other apps only through their selectors and computes no figure of its own.
    """

    name = "overview"
    verbose_name = "Executive overview"

    def ready(self) -> None:
        from overview import panels

        panels.connect()
