"""Recognising a plain CSV file while it streams to COPY, so its rows can skip the row-by-row check.

Most files come from a survey tool's export: no quotes, no padding around values, dates written
in the usual form (metrics.validation). For such a file PostgreSQL can type every value itself,
and the validator's rules reduce to a join and a few comparisons (plain_typed, straight_in).
This module decides, block by block of whole lines, whether a file is that plain; anything it is
not sure of makes the file "not plain" and it takes the full check, which words every problem.

Only what Python and PostgreSQL read identically counts as plain:
- no value with whitespace at either end (str.strip() would change it; the full check trims);
- every `responded_at` in the usual form with every field in range (date_forms): PostgreSQL would
  read 24:00 and :60, Python refuses them. A month's day past its end, or an offset of 16 hours
  or more, makes PostgreSQL refuse the cast, and the file goes to the full check then;
- a date without an offset only where the site's zone is UTC: elsewhere Python and PostgreSQL
  resolve a time in a DST gap or overlap differently.
"""

import re
from collections.abc import Callable

from metrics.services.ingest.date_forms import usual_date_pattern

# Besides the space and the line ends, the ASCII characters str.strip() removes. Real files never
# hold them, so a plain file may not hold them anywhere (simpler to look for than at a value's
# edges).
_OTHER_ASCII_SPACE = "".join(c for c in map(chr, range(128)) if c.isspace() and c not in " \n\r")
_EDGE_SPACE = re.compile(r"(?:^|,)[^\S\n]|[^\S\n](?:,|$)", re.MULTILINE)


class NotPlain(Exception):
    """Some line or row of a plain-looking file is not plainly valid: the full check takes over."""


class PlainFileScan:
    """Fed the file's data lines in blocks of whole lines; `plain` says whether all were plain."""

    def __init__(self, header: list[str], *, naive_dates_allowed: bool) -> None:
        position = header.index("responded_at")
        when = usual_date_pattern(naive_allowed=naive_dates_allowed)
        # A line whose responded_at is not in the plain form (columns never hold a comma here:
        # a file with quotes is not plain to begin with).
        self._bad_when = re.compile(
            rf"^(?!(?:[^,\n]*,){{{position}}}{when}(?:,|\r?$))", re.MULTILINE
        )
        self.plain = True

    def feed(self, block: str) -> None:
        """Check a block that ends at a line end (or at the end of the file)."""
        if not self.plain or not block:
            return
        # Without the last line's end: a line end that follows it would open one more "line".
        body = block.removesuffix("\n").removesuffix("\r")
        self.plain = no_padding(body) and self._bad_when.search(body) is None


def plain_line_pattern(header: list[str], *, naive_dates_allowed: bool) -> re.Pattern[str]:
    """A whole plain line (LF-ended, with no padding: see no_padding), its groups what comes
    before the touch point's slug, the slug, and what follows it.

    For a file that goes straight into the response table, where Python puts each touch point's
    id in place of its slug: one match a line both checks the date and finds the slug.
    """
    when = usual_date_pattern(naive_allowed=naive_dates_allowed)
    fields = [when if column == "responded_at" else "[^,\n]*" for column in header]
    position = header.index("touchpoint")
    before = "".join(f"{field}," for field in fields[:position])
    after = "".join(f",{field}" for field in fields[position + 1 :])
    return re.compile(f"^({before})([^,\n]*)({after})$", re.MULTILINE)


def plain_lines(
    block: str, pattern: re.Pattern[str], rewrite: Callable[[re.Match[str]], str]
) -> str:
    """A block of whole lines, each rewritten by `rewrite` from its match of `pattern` (see
    plain_line_pattern); NotPlain if any line is not plain."""
    if not no_padding(block.removesuffix("\n").removesuffix("\r")):
        raise NotPlain
    if "\r" in block:  # no_padding allows it only as part of CRLF
        block = block.replace("\r\n", "\n")
    rewritten, matched = pattern.subn(rewrite, block)
    if matched != block.count("\n"):
        raise NotPlain
    return rewritten


def no_padding(body: str) -> bool:
    """Whether no value of these whole lines has whitespace at either end."""
    if "\r" in body:
        # Only as part of CRLF line ends, which COPY and the csv module both read as one.
        if body.count("\r") != body.count("\r\n"):
            return False
        body = body.replace("\r\n", "\n")
    if body.isascii():
        # Substring searches run at memory speed; the regular expression below does not.
        if any(space in body for space in _OTHER_ASCII_SPACE):
            return False
        return not (
            body.startswith(" ")
            or body.endswith(" ")
            or " ," in body
            or ", " in body
            or " \n" in body
            or "\n " in body
        )
    return _EDGE_SPACE.search(body) is None
