"""The CCO's theme taxonomy and which responses mention each theme."""

from django.db import models


class Theme(models.Model):
    """A theme the verbatims are read for, and the phrases that mark it (matched as whole words,
    ignoring case and accents: see metrics.themes)."""

    name = models.CharField(max_length=60, unique=True)
    phrases = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ResponseTheme(models.Model):
    """A response whose comment mentions a theme; rebuilt whole when the taxonomy changes."""

    # No database key to the response table: the bulk import sets its primary key aside, which a
    # referencing key forbids. Django still cascades a deleted response to this link.
    response = models.ForeignKey(
        "metrics.SurveyResponse",
        on_delete=models.CASCADE,
        related_name="theme_links",
        db_constraint=False,
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "theme"], name="metrics_response_theme_once"
            )
        ]
        indexes = [models.Index(fields=["theme", "response"], name="metrics_theme_response")]

    def __str__(self) -> str:
        return f"response {self.response_id} mentions theme {self.theme_id}"


class ThemeWatermark(models.Model):
    """The newest response already read for themes (one row), and whether the taxonomy changed
    since every response was last read (the next run then reads them all)."""

    last_response_id = models.BigIntegerField(default=0)
    taxonomy_changed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"themes read to response {self.last_response_id}"
