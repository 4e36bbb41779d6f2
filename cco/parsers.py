"""The API's JSON parser (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from cco.middleware import forbidden_character, printable, refusal


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing NUL and lone surrogates (`\\u0000`, `\\ud800`) in any key or
    string with a 400 naming where they are, e.g. `[3].comment`: no database can store them,
    and the import answered 500 when it tried. Lists and objects nested past `MAX_DEPTH` are a
    400 too: 100,000 `[` ran the decoder out of stack, a server error."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # Python's decoder gives up near the interpreter's recursion limit (~1,000 levels).
            raise ParseError(TOO_DEEP) from None
        if nesting_exceeds(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        found = forbidden_text(data)
        if found is not None:
            where, problem = found
            raise ValidationError({printable(where): [refusal(where, problem)]})
        return data


# Our bodies nest a few levels at most; a deeper one is refused before a serializer, whose
# recursion would end in a server error, reads it.
MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - lists and objects nested deeper than {MAX_DEPTH} levels."


def nesting_exceeds(data: Any, limit: int) -> bool:
    """Whether lists and objects in `data` nest more than `limit` levels deep (a stack walk)."""
    stack: list[tuple[int, Any]] = [(0, data)]
    while stack:
        depth, value = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((depth + 1, child) for child in children)
    return False


def forbidden_text(data: Any) -> tuple[str, str] | None:
    """(path, problem) of a key or string holding a forbidden character, or None.

    Walked with a stack rather than recursion, so deep nesting costs memory, not the stack.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = forbidden_character(value)
            if problem is not None:
                return path or "(the body)", problem
        elif isinstance(value, dict):
            for key in value:
                problem = forbidden_character(key)
                if problem is not None:
                    return _member(path, key), problem
            stack.extend((_member(path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value)))
            )
    return None


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
