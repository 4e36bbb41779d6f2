"""Recognising a plain CSV file while it streams to COPY, so its rows can skip the row-by-row check.

Most files come from a survey tool's export: no quotes, no padding around values, dates written
the one way ISO 8601 usually is. For such a file PostgreSQL can type every value itself, and the
validator's rules reduce to a join and a few comparisons (metrics.services.copy_ingest). This
module decides, block by block of whole lines, whether a file is that plain; anything it is not
sure of makes the file "not plain" and it takes the full check, which words every problem.

Only what Python and PostgreSQL read identically counts as plain:
- no value with whitespace at either end (str.strip() would change it; the full check trims);
- every `responded_at` in the form `YYYY-MM-DD[(T| )hh:mm[:ss[.f{1,6}]]][Z|±hh:mm]`, with the
  year from 2000 and hours, minutes and seconds in range (PostgreSQL would read 24:00 and :60;
  Python refuses them). A month's day past its end, or an offset of 16 hours or more, makes
  PostgreSQL refuse the cast, and the file goes to the full check then;
- a date without an offset only where the site's zone is UTC: elsewhere Python and PostgreSQL
  resolve a time in a DST gap or overlap differently.
"""

import re

# Besides the space, the ASCII characters str.strip() removes. Real files never hold them, so a
# plain file may not hold them anywhere (simpler to look for than at a value's edges).
_OTHER_ASCII_SPACE = "\t\x0b\x0c\x1c\x1d\x1e\x1f"
_EDGE_SPACE = re.compile(r"(?:^|,)[^\S\n]|[^\S\n](?:,|$)", re.MULTILINE)

_DATE = r"[2-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"


def _when_pattern(*, naive_allowed: bool) -> str:
    if naive_allowed:
        return f"{_DATE}(?:[T ]{_TIME}{_OFFSET}?)?"
    return f"{_DATE}[T ]{_TIME}{_OFFSET}"


class PlainFileScan:
    """Fed the file's data lines in blocks of whole lines; `plain` says whether all were plain."""

    def __init__(self, header: list[str], *, naive_dates_allowed: bool) -> None:
        position = header.index("responded_at")
        when = _when_pattern(naive_allowed=naive_dates_allowed)
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
    when = _when_pattern(naive_allowed=naive_dates_allowed)
    fields = [when if column == "responded_at" else "[^,\n]*" for column in header]
    position = header.index("touchpoint")
    before = "".join(f"{field}," for field in fields[:position])
    after = "".join(f",{field}" for field in fields[position + 1 :])
    return re.compile(f"^({before})([^,\n]*)({after})$", re.MULTILINE)


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
