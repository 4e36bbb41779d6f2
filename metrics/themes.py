"""How a verbatim is matched to themes — defined once, pure Python, no Django.

A phrase matches a comment when it appears as whole words: case and accents are ignored
("Délai" matches "delai"), any run of spaces in the phrase matches any run of white space, and
the characters either side must not be letters or digits ("wait" is not found in "waiting"
nor in "await", but is in "wait," and "(wait)").
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

MAX_THEMES = 40
MAX_PHRASES = 30
MAX_PHRASE_CHARS = 60
MAX_NAME_CHARS = 60


def fold(text: str) -> str:
    """Lower case without accents: the form both phrases and comments are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression matching any of `phrases` as whole words (None for no phrase)."""
    parts = [r"\s+".join(re.escape(word) for word in fold(p).split()) for p in phrases]
    parts = [part for part in parts if part]
    if not parts:
        return None
    # Longest first, so a longer phrase is preferred where one is a prefix of another.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def compile_taxonomy(taxonomy: Mapping[int, Iterable[str]]) -> dict[int, re.Pattern[str]]:
    compiled = {key: phrase_pattern(phrases) for key, phrases in taxonomy.items()}
    return {key: pattern for key, pattern in compiled.items() if pattern is not None}


def themes_in(text: str, compiled: Mapping[int, re.Pattern[str]]) -> set[int]:
    """The keys of the themes whose phrases `text` mentions."""
    if not text:
        return set()
    folded = fold(text)
    return {key for key, pattern in compiled.items() if pattern.search(folded)}


class TaxonomyError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_taxonomy(text: str) -> list[tuple[str, list[str]]]:
    """The taxonomy from its editable form: one theme a line, `Name: phrase, phrase, …`.

    Blank lines are skipped; names and phrases are trimmed and a phrase repeated within a theme
    kept once. Raises TaxonomyError naming each bad line: no colon, an empty name or no phrase,
    a name used twice (ignoring case), a name or phrase too long, too many phrases or themes.
    """
    errors: list[str] = []
    themes: list[tuple[str, list[str]]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, colon, rest = line.partition(":")
        name = " ".join(name.split())
        if not colon:
            errors.append(f"Line {number}: write the theme, a colon, then its phrases.")
            continue
        if not name:
            errors.append(f"Line {number}: the theme has no name.")
            continue
        if len(name) > MAX_NAME_CHARS:
            errors.append(f"Line {number}: the name is over {MAX_NAME_CHARS} characters.")
            continue
        phrases: list[str] = []
        for phrase in rest.split(","):
            phrase = " ".join(phrase.split())
            if phrase and fold(phrase) not in {fold(p) for p in phrases}:
                phrases.append(phrase)
        if not phrases:
            errors.append(f"Line {number}: “{name}” has no phrase.")
            continue
        if len(phrases) > MAX_PHRASES:
            errors.append(f"Line {number}: “{name}” has over {MAX_PHRASES} phrases.")
            continue
        long = [p for p in phrases if len(p) > MAX_PHRASE_CHARS]
        if long:
            errors.append(f"Line {number}: “{long[0]}” is over {MAX_PHRASE_CHARS} characters.")
            continue
        key = fold(name)
        if key in seen:
            errors.append(f"Line {number}: “{name}” is already used on line {seen[key]}.")
            continue
        seen[key] = number
        themes.append((name, phrases))
    if len(themes) > MAX_THEMES:
        errors.append(f"At most {MAX_THEMES} themes ({len(themes)} given).")
    if errors:
        raise TaxonomyError(errors)
    return themes


def format_taxonomy(themes: Iterable[tuple[str, Iterable[str]]]) -> str:
    return "\n".join(f"{name}: {', '.join(phrases)}" for name, phrases in themes)
