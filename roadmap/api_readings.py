"""What the roadmap's API says about expected results: the verdict with the months it was
judged on, the baseline with its source, n and interval — shaped here once for the serializers
and the `reading` action of roadmap/api.py."""

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from roadmap.selectors import ResultReading
from roadmap.stats import MEASURED, PENDING, TOO_FEW_BEFORE, TYPED, VERDICT_LABELS
from roadmap.windows import Reading

BASELINE_SOURCES = [MEASURED, TYPED, TOO_FEW_BEFORE, PENDING]


def page_of(serializer: serializers.Serializer, obj: Any) -> list[Any]:
    """The objects being serialized with `obj`: the whole page in a list, else `obj` alone,
    so derived figures are read for a page at once rather than object by object."""
    parent = serializer.parent
    if isinstance(parent, serializers.ListSerializer) and parent.instance is not None:
        return list(parent.instance)
    return [obj]


def window_data(reading: Reading | None) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {
        "start": reading.start,
        "end": reading.end,
        "label": reading.label,
        "n": reading.n,
        "value": reading.value,
        "low": reading.low,
        "high": reading.high,
        "enough": reading.enough,
    }


def _window_fields() -> dict[str, serializers.Field]:
    return {
        "start": serializers.DateField(),
        "end": serializers.DateField(help_text="The first day after the window."),
        "label": serializers.CharField(),
        "n": serializers.IntegerField(),
        "value": serializers.FloatField(allow_null=True),
        "low": serializers.FloatField(allow_null=True),
        "high": serializers.FloatField(allow_null=True),
        "enough": serializers.BooleanField(),
    }


READING_SCHEMA = inline_serializer(
    "ExpectedResultReading",
    {
        "verdict": serializers.ChoiceField(choices=list(VERDICT_LABELS)),
        "verdict_label": serializers.CharField(),
        "judged_on": serializers.CharField(),
        "judged_from": serializers.DateField(),
        "window": inline_serializer("JudgedWindow", _window_fields(), allow_null=True),
        "actual": serializers.FloatField(allow_null=True),
        "expected": serializers.FloatField(allow_null=True),
        "baseline": inline_serializer(
            "ExpectedResultBaseline",
            {
                "value": serializers.FloatField(allow_null=True),
                # The same values as an expected result's `baseline_source`; a plain string
                # here, so the schema names that choice set once.
                "source": serializers.CharField(help_text=", ".join(BASELINE_SOURCES)),
                "typed": serializers.FloatField(allow_null=True),
                "text": serializers.CharField(),
                "measured": inline_serializer("BaselineWindow", _window_fields()),
            },
        ),
        "points": inline_serializer(
            "ExpectedResultPoint",
            {
                "period_start": serializers.DateField(),
                "n": serializers.IntegerField(),
                "value": serializers.FloatField(allow_null=True),
                "low": serializers.FloatField(allow_null=True),
                "high": serializers.FloatField(allow_null=True),
                "enough": serializers.BooleanField(),
            },
            many=True,
        ),
    },
)


def reading_data(reading: ResultReading) -> dict[str, Any]:
    """The `reading` action's answer: verdict, judged window, baseline and monthly points."""
    verdict, baseline = reading.verdict, reading.baseline
    return {
        "verdict": verdict.kind,
        "verdict_label": verdict.label,
        "judged_on": verdict.judged_on,
        "judged_from": verdict.judged_from,
        "window": window_data(verdict.window),
        "actual": verdict.actual,
        "expected": verdict.expected,
        "baseline": {
            "value": baseline.value,
            "source": baseline.source,
            "typed": baseline.typed,
            "text": baseline.text,
            "measured": window_data(baseline.measured),
        },
        "points": [
            {
                "period_start": p.period_start,
                "n": p.n,
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "enough": p.enough,
            }
            for p in reading.points
        ],
    }
