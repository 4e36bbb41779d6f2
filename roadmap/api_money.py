"""How the API gives money figures: a result's value and an initiative's return, with the
reason when there is none yet (roadmap.stats.returns holds the definitions)."""

from typing import Any

from rest_framework import serializers

from roadmap.stats.returns import RETURN_LABELS, Money, ResultValue, Return


class MoneySerializer(serializers.Serializer):
    value = serializers.FloatField()
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class MoneyValueSerializer(serializers.Serializer):
    """A result's money value: a year's worth of the change measured and of the target."""

    kind = serializers.ChoiceField(choices=list(RETURN_LABELS))
    reason = serializers.CharField()
    expected = MoneySerializer(allow_null=True)
    actual = MoneySerializer(allow_null=True)


class ReturnSerializer(serializers.Serializer):
    """(value − budget) ÷ budget as a share (0.25 is +25 %), or why there is none yet."""

    kind = serializers.ChoiceField(choices=list(RETURN_LABELS))
    reason = serializers.CharField()
    text = serializers.CharField()
    budget = serializers.FloatField(allow_null=True)
    value = MoneySerializer(allow_null=True)
    expected_value = MoneySerializer(allow_null=True)
    ratio = MoneySerializer(allow_null=True)
    expected_ratio = serializers.FloatField(allow_null=True)


def _money(money: Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    return {"value": money.value, "low": money.low, "high": money.high}


def result_value_data(value: ResultValue) -> dict[str, Any]:
    return {
        "kind": value.kind,
        "reason": value.reason,
        "expected": _money(value.expected),
        "actual": _money(value.actual),
    }


def return_data(money: Return) -> dict[str, Any]:
    return {
        "kind": money.kind,
        "reason": money.reason,
        "text": money.text,
        "budget": money.budget,
        "value": _money(money.value),
        "expected_value": _money(money.expected_value),
        "ratio": _money(money.ratio),
        "expected_ratio": money.expected_ratio,
    }
