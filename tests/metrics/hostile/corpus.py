"""The hostile-input corpus: files and JSON bodies a careless user or an attacker may send to an
importer, each with what must come of it.

A refused case names the row, the column and words of the reason every path must give; an
accepted one says how many rows are stored and what a stored value must be. The modules beside
this one feed every case to every ingest path (tests/metrics/hostile/test_*.py).
"""

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cco.importing import MAX_ROW_CHARS

HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment"
TOUCHPOINT = "live-chat"
FORMULA = "=cmd|' /C calc'!A0"


def row(external_id: str, comment: str = "", score: str = "9") -> str:
    return f"{external_id},{TOUCHPOINT},nps,{score},2025-03-01,c1,retail,{comment}"


def lines(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows, ""]).encode()


GOOD = [row(f"g{number}", "fine") for number in range(1, 4)]


@dataclass(frozen=True)
class Case:
    """`problem`: (row, column, words of the reason) of the first problem; None when the file
    is accepted, `saved` rows then stored and `stored` a check of one stored comment. `whole`:
    the file cannot be read on, so it is refused even when invalid rows may be skipped."""

    name: str
    body: bytes
    problem: tuple[int, str, str] | None
    whole: bool = False
    saved: int = 0
    stored: tuple[str, str] | None = None  # (external_id, its comment as stored)

    def __str__(self) -> str:
        return self.name


def _million_columns() -> bytes:
    """A 10 MB header of a million column names, and one row."""
    return ",".join(f"c{number:07d}" for number in range(1_000_000)).encode() + b"\n1\n"


RESPONSE_FILES = [
    # -- the header ----------------------------------------------------------------------------
    Case("empty file", b"", (1, "(header)", "the file is empty")),
    Case("only a byte order mark", codecs.BOM_UTF8, (1, "(header)", "the file is empty")),
    Case("blank lines only", b"\n\n\r\n", (1, "(header)", "missing column(s) external_id")),
    Case(
        "unknown column",
        lines(row("u1") + ",red", header=HEADER + ",colour"),
        (1, "(header)", "unknown column(s) colour"),
    ),
    Case(
        "a column named twice",
        lines(
            "d1,live-chat,nps,9,2025-03-01,8", header=HEADER[: HEADER.index(",customer")] + ",score"
        ),
        (1, "(header)", "a column is named twice (score)"),
    ),
    Case(
        "a required column missing",
        lines("m1,live-chat,9,2025-03-01", header="external_id,touchpoint,score,responded_at"),
        (1, "(header)", "missing column(s) metric"),
    ),
    Case(
        "ten thousand columns, the message still short",
        lines("x", header=",".join(f"col{number}" for number in range(10_000))),
        (1, "(header)", "and 9,995 more"),
    ),
    Case(
        "a million columns in a 10 MB header",
        _million_columns(),
        (1, "(header)", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case("header only", lines(), None),
    Case("header and blank lines", lines("", "", ""), None),
    # -- encodings -----------------------------------------------------------------------------
    Case("UTF-8 with a byte order mark", codecs.BOM_UTF8 + lines(*GOOD), None, saved=3),
    Case(
        "UTF-16 with a byte order mark",
        lines(row("w1", "Très bien ✓")).decode().encode("utf-16"),
        None,
        saved=1,
        stored=("w1", "Très bien ✓"),
    ),
    Case(
        "UTF-16 big-endian with a byte order mark",
        codecs.BOM_UTF16_BE + lines(row("w1", "ok")).decode().encode("utf-16-be"),
        None,
        saved=1,
    ),
    Case(
        "UTF-16 without a byte order mark",
        lines(*GOOD).decode().encode("utf-16-le"),
        (1, "(header)", "a NUL character"),
        whole=True,
    ),
    Case(
        "Latin-1 in a plain file",
        lines(*GOOD, row("l1", "Très bien")).replace("è".encode(), b"\xe8"),
        (5, "(file)", "line 5: the byte 0xE8 is not UTF-8 text"),
        whole=True,
    ),
    Case(
        "Latin-1 in a quoted value",
        lines(*GOOD, row("l1", '"Très, bien"')).replace("è".encode(), b"\xe8"),
        (5, "(file)", "line 5: the byte 0xE8 is not UTF-8 text"),
        whole=True,
    ),
    Case(
        "a PNG image",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",
        (1, "(file)", "the byte 0x89 is not UTF-8 text"),
        whole=True,
    ),
    # -- characters ----------------------------------------------------------------------------
    Case(
        "a NUL in a comment",
        lines(*GOOD, row("n1", "be\x00fore")),
        (5, "comment", "a NUL character"),
        whole=True,
    ),
    Case(
        "a NUL in a quoted comment",
        lines(*GOOD, row("n1", '"be\x00fore"')),
        (5, "comment", "a NUL character"),
        whole=True,
    ),
    Case("CR line ends", lines(*GOOD, end="\r"), None, saved=3),
    Case("CRLF line ends", lines(*GOOD, end="\r\n"), None, saved=3),
    Case(
        "a lone CR inside a value",
        lines(row("c1", "half\rway"), *GOOD),
        (3, "touchpoint", "missing touch point slug"),
    ),
    Case(
        "a formula in a comment is text",
        lines(row("f1", f'"{FORMULA}"'), row("f2", "+1+1"), row("f3", "@SUM(A1)")),
        None,
        saved=3,
        stored=("f1", FORMULA),
    ),
    # -- quotes --------------------------------------------------------------------------------
    Case(
        "doubled quotes inside a quoted value",
        lines(row("q1", '"He said ""great"", twice"')),
        None,
        saved=1,
        stored=("q1", 'He said "great", twice'),
    ),
    Case(
        "a quote in the middle of a value",
        lines(row("q1", '5" screen, "big"'.replace(",", ";"))),
        None,
        saved=1,
        stored=("q1", '5" screen; "big"'),
    ),
    Case(
        "a quoted comment over two lines",
        lines(row("q1", '"first line\nsecond line"'), *GOOD),
        None,
        saved=4,
        stored=("q1", "first line\nsecond line"),
    ),
    Case(
        "a quote never closed, rows after it",
        lines(*[row(f"r{n}") for n in range(15)], row("r15", '"never closed'), *GOOD, *GOOD),
        (17, "comment", "a quote opened here is never closed"),
        whole=True,
    ),
    Case(
        "a quote never closed in the first column",
        lines(*GOOD, '"r9,live-chat,nps,9,2025-03-01,,,', *GOOD),
        (5, "external_id", "a quote opened here is never closed"),
        whole=True,
    ),
    Case(
        "text after a closing quote",
        lines(*GOOD, row("q1", '"Fast" service')),
        (5, "comment", "text after a closing quote"),
        whole=True,
    ),
    Case(
        "a quote left open that a later row closes",
        lines(*GOOD, '"q1,live-chat,nps,9,2025-03-01,,,x', 'q2",live-chat,nps,9,2025-03-01,,,y'),
        (5, "external_id", "a line break inside the value"),
    ),
    # -- sizes ---------------------------------------------------------------------------------
    Case(
        "a 50 MB quoted value",
        lines(*GOOD, row("h1", '"' + "x" * 50_000_000 + '"')),
        (5, "comment", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a 20 MB quoted value, within what a page takes",
        lines(*GOOD, row("h1", '"' + "x" * 20_000_000 + '"')),
        (5, "comment", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a 200 kB value without quotes",
        lines(*GOOD, row("h1", "k" * 200_000)),
        (5, "comment", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a 2 MB value without quotes",
        lines(*GOOD, row("h1", "y" * 2_000_000)),
        (5, "comment", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a comment past its limit",
        lines(*GOOD, row("h1", "z" * 5001)),
        (5, "comment", "longer than 5000 characters"),
    ),
    Case(
        "an id past its limit",
        lines(*GOOD, row("i" * 121)),
        (5, "external_id", "longer than 120 characters"),
    ),
    Case(
        "a score of five thousand digits",
        lines(*GOOD, row("s1", score="9" * 5000)),
        (5, "score", "(5,000 characters) is not a whole number"),
    ),
    Case(
        "a row of a hundred thousand values",
        lines(*GOOD, row("v1") + "," * 100_000),
        (5, "(row)", "100008 values for 8 columns"),
    ),
    # -- ragged rows ---------------------------------------------------------------------------
    Case("a row too short", lines(*GOOD, "t1,live-chat,nps"), (5, "score", "None is not a whole")),
    Case("a row too long", lines(*GOOD, row("t1") + ",extra"), (5, "(row)", "9 values for 8")),
]


# -- JSON bodies for POST /api/responses/import/ ------------------------------------------------


def item(**changes: Any) -> dict[str, Any]:
    good: dict[str, Any] = {
        "external_id": "j1",
        "touchpoint": TOUCHPOINT,
        "metric": "nps",
        "score": 9,
        "responded_at": "2025-03-01",
    }
    return {**good, **changes}


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


@dataclass(frozen=True)
class Body:
    """A JSON body and the (row, field, words) of the first problem; None when accepted."""

    name: str
    body: Callable[[], Any]
    problem: tuple[int, str, str] | None
    saved: int = 0

    def __str__(self) -> str:
        return self.name


RESPONSE_BODIES = [
    Body(
        "an id as a list", lambda: [item(external_id=["a", "b"])], (1, "external_id", "not a list")
    ),
    Body(
        "an id as an object",
        lambda: [item(external_id={"a": 1})],
        (1, "external_id", "not an object"),
    ),
    Body(
        "an id as true", lambda: [item(external_id=True)], (1, "external_id", "not true or false")
    ),
    Body(
        "an id as a decimal", lambda: [item(external_id=1.5)], (1, "external_id", "not a decimal")
    ),
    Body("an id as a whole number", lambda: [item(external_id=17)], None, saved=1),
    Body(
        "a slug as a list", lambda: [item(touchpoint=[TOUCHPOINT])], (1, "touchpoint", "not a list")
    ),
    Body(
        "a metric as an object", lambda: [item(metric={"nps": 1})], (1, "metric", "not an object")
    ),
    Body("a score as text", lambda: [item(score="9")], None, saved=1),
    Body("a score as a list", lambda: [item(score=[9])], (1, "score", "not a list")),
    Body("a score as true", lambda: [item(score=True)], (1, "score", "not true or false")),
    Body("a score as a decimal", lambda: [item(score=9.5)], (1, "score", "9.5 is not a whole")),
    Body("a score missing", lambda: [item(score=None)], (1, "score", "None is not a whole")),
    Body(
        "a date as a number",
        lambda: [item(responded_at=20250301)],
        (1, "responded_at", "not a number"),
    ),
    Body(
        "a date as a list", lambda: [item(responded_at=["2025"])], (1, "responded_at", "not a list")
    ),
    Body(
        "a comment nested deep", lambda: [item(comment=_nested(20))], (1, "comment", "not a list")
    ),
    Body(
        "a comment of a megabyte",
        lambda: [item(comment="c" * 1_000_000)],
        (1, "comment", "longer than 5000"),
    ),
    Body(
        "an id of a megabyte",
        lambda: [item(external_id="i" * 1_000_000)],
        (1, "external_id", "longer than 120"),
    ),
    Body(
        "a slug of a megabyte",
        lambda: [item(touchpoint="t" * 1_000_000)],
        (1, "touchpoint", "longer than 1000"),
    ),
    Body(
        "a line break in an id",
        lambda: [item(external_id="a\nb")],
        (1, "external_id", "a line break"),
    ),
    Body("a formula in a comment", lambda: [item(comment=FORMULA)], None, saved=1),
    Body(
        "a second row bad",
        lambda: [item(), item(external_id="j2", score=11)],
        (2, "score", "outside"),
    ),
]


# -- the other importers: customer outcomes, the roadmap ----------------------------------------

CUSTOMER_HEADER = "customer_id,retained,revenue"
CUSTOMER_ROWS = ["C1,yes,10", "C2,no,", "C3,yes,5.50"]


def customer_lines(*rows: str, header: str = CUSTOMER_HEADER, end: str = "\n") -> bytes:
    return end.join([header, *rows, ""]).encode()


CUSTOMER_FILES = [
    Case(
        "a quote never closed",
        customer_lines(*CUSTOMER_ROWS, 'C4,"yes,1', *CUSTOMER_ROWS[:2]),
        (5, "retained", "a quote opened here is never closed"),
        whole=True,
    ),
    Case(
        "a NUL in a value",
        customer_lines(*CUSTOMER_ROWS, "C\x004,yes,1"),
        (5, "customer_id", "a NUL character"),
        whole=True,
    ),
    Case(
        "Latin-1",
        customer_lines(*CUSTOMER_ROWS, "Cé,yes,1").replace("é".encode(), b"\xe9"),
        (5, "(file)", "line 5: the byte 0xE9 is not UTF-8 text"),
        whole=True,
    ),
    Case(
        "a million columns in a 10 MB header",
        _million_columns(),
        (1, "(header)", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "three hundred thousand columns in a 3 MB header",
        ",".join(f"c{number}" for number in range(300_000)).encode() + b"\n1\n",
        (1, "(header)", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a 4 MB quoted value",
        customer_lines(*CUSTOMER_ROWS, 'C4,yes,"' + "1" * 4_000_000 + '"'),
        (5, "revenue", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a column named twice",
        customer_lines("C1,yes,no", header="customer_id,retained,retained"),
        (1, "(header)", "A column is named twice"),
    ),
    Case(
        "an unknown column",
        customer_lines("C1,yes,red", header="customer_id,retained,colour"),
        (1, "(header)", "unknown column(s) colour"),
    ),
    Case("a row too long", customer_lines(*CUSTOMER_ROWS, "C4,yes,1,2"), (5, "(row)", "4 values")),
    Case("a row too short", customer_lines(*CUSTOMER_ROWS, "C4"), (5, "retained", "is not yes/no")),
    Case(
        "UTF-16 with a byte order mark",
        customer_lines(*CUSTOMER_ROWS).decode().encode("utf-16"),
        None,
        saved=3,
    ),
    Case("CR line ends", customer_lines(*CUSTOMER_ROWS, end="\r"), None, saved=3),
    Case("a formula as an id is text", customer_lines(f'"{FORMULA}",yes,1'), None, saved=1),
]

ROADMAP_HEADER = "pillar,initiative,department,start,end,milestone,due"


def roadmap_lines(*rows: str, end: str = "\n") -> bytes:
    return end.join([ROADMAP_HEADER, *rows, ""]).encode()


YEAR = timezone.localdate().year  # within the roadmap the tests make (tests/roadmap/factories.py)
ROADMAP_ROWS = [
    f"Listen,Voice of customer,customer-service,{YEAR}-01-01,{YEAR}-12-31,Survey live,{YEAR}-03-31",
    f"Listen,Voice of customer,,,,Dashboard,{YEAR}-09-30",
]

ROADMAP_FILES = [
    Case(
        "a quote never closed",
        roadmap_lines(*ROADMAP_ROWS, 'Act,"Close the loop,customer-service', *ROADMAP_ROWS),
        (4, "initiative", "a quote opened here is never closed"),
        whole=True,
    ),
    Case(
        "text after a closing quote",
        roadmap_lines(*ROADMAP_ROWS, 'Act,"Close" the loop,customer-service'),
        (4, "initiative", "text after a closing quote"),
        whole=True,
    ),
    Case(
        "a NUL in a value",
        roadmap_lines(*ROADMAP_ROWS, "Act,Close\x00 the loop,customer-service"),
        (4, "initiative", "a NUL character"),
        whole=True,
    ),
    Case(
        "two hundred thousand columns in the header",
        ",".join(f"c{number}" for number in range(200_000)).encode() + b"\n1\n",
        (1, "(header)", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case(
        "a row of a million characters",
        roadmap_lines(*ROADMAP_ROWS, "Act," + "x" * 1_000_000),
        (4, "initiative", f"longer than {MAX_ROW_CHARS:,} characters"),
        whole=True,
    ),
    Case("CR line ends", roadmap_lines(*ROADMAP_ROWS, end="\r"), None, saved=2),
]
