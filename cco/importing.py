"""What every file importer (responses, customer outcomes, the roadmap) shares: how a CSV file is
read, and how refused rows are said.

One reader (csv_rows) for every importer, so a hostile file meets the same limits everywhere:
text in UTF-8 (or UTF-16/32 with its byte order mark), no NUL characters, no quote left open,
no row longer than MAX_ROW_CHARS characters. A file that breaks one of them is unreadable as a
whole (UnreadableFile, naming the row, the column and why), since nothing after the problem can
be read as its author meant.

One row error, worded the same way everywhere, and one report of them: every problem counted,
the first MAX_REPORTED_ERRORS listed (a file with a million bad rows must not make a page or an
API answer of a million lines).
"""

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, TextIO

MAX_REPORTED_ERRORS = 100
# The longest row any importer reads, in characters with its line ends (every line of a row
# whose quoted value spans lines). A real row is far shorter (a survey response at most about
# 7,300, twice that if every character were a doubled quote); a longer one is a value run wild,
# a quote never closed or a million columns, and reading on would only cost time and memory.
# It equals the csv module's own field limit, so that limit never stops a file first.
MAX_ROW_CHARS = 131_072
# What a message shows of a value or a column name: enough to find it in the file.
SHOWN_CHARS = 40
SHOWN_NAMES = 5

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: its row (the header is row 1), its column and why."""

    row: int
    column: str
    reason: str

    @property
    def message(self) -> str:
        """The reason, under the name the roadmap's import page gives it."""
        return self.reason

    def __str__(self) -> str:
        return f"Row {self.row}, {self.column}: {self.reason}"


@dataclass
class RowErrorReport:
    """The problems an import found: all of them counted, the first MAX_REPORTED_ERRORS kept."""

    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def add_errors(self, found: list[RowError], *, count: int) -> None:
        """Add `count` problems found in a second pass, of which `found` are the first; the list
        stays ordered by row and capped, whichever pass found a row's problem."""
        self.errors = sorted([*self.errors, *found], key=lambda e: e.row)[:MAX_REPORTED_ERRORS]
        self.error_count += count


class UnreadableFile(Exception):
    """The file cannot be read on as CSV; nothing of it is imported. `error` names the row, the
    column and why; `rows_read` counts the data rows read before it."""

    def __init__(self, error: RowError, rows_read: int = 0) -> None:
        super().__init__(str(error))
        self.error = error
        self.rows_read = rows_read


def shown(value: Any) -> str:
    """A value as a message quotes it: repr(), cut to SHOWN_CHARS characters."""
    text = str(value)
    if len(text) > SHOWN_CHARS:
        return repr(text[:SHOWN_CHARS]) + f"… ({len(text):,} characters)"
    return repr(text)


def names_shown(names: Sequence[str]) -> str:
    """Column names as a message lists them: the first SHOWN_NAMES, each cut short."""
    listed = [name if len(name) <= SHOWN_CHARS else name[:SHOWN_CHARS] + "…" for name in names]
    more = len(names) - SHOWN_NAMES
    return ", ".join(listed[:SHOWN_NAMES]) + (f" and {more:,} more" if more > 0 else "")


# -- the text ----------------------------------------------------------------------------------


def open_text(binary: IO[bytes], *, errors: str = "strict") -> io.TextIOWrapper:
    """A text stream over a file's bytes, read from its start: UTF-8 with or without a byte
    order mark, or UTF-16/32 with theirs (a spreadsheet's "Unicode text"). Line ends stay as
    written, so the csv module reads CR, LF and CRLF alike. The caller detaches it, or closes
    it with the file."""
    start = binary.peek(4)[:4] if hasattr(binary, "peek") else _first_bytes(binary)
    encoding = next((name for bom, name in _BOMS if start.startswith(bom)), "utf-8-sig")
    return io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="")


def _first_bytes(binary: IO[bytes]) -> bytes:
    position = binary.tell()
    start = binary.read(4)
    binary.seek(position)
    return start


def decoding_problem(stream: TextIO) -> UnreadableFile:
    """The file could not be decoded: where, when the bytes can be read again (the line of the
    first undecodable byte), and how to save it instead."""
    encoding = getattr(stream, "encoding", None) or "utf-8-sig"
    advice = "save the file as “CSV UTF-8”"
    buffer = getattr(stream, "buffer", None)
    if buffer is None or not buffer.seekable():
        return UnreadableFile(RowError(1, "(file)", f"the file is not UTF-8 text: {advice}"))
    buffer.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    for raw in buffer:
        try:
            line += decoder.decode(raw).count("\n")
        except UnicodeDecodeError as exc:
            byte = exc.object[exc.start] if exc.start < len(exc.object) else 0
            name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
            reason = f"line {line}: the byte 0x{byte:02X} is not {name} text: {advice}"
            return UnreadableFile(RowError(line, "(file)", reason))
    return UnreadableFile(RowError(line, "(file)", f"the file ends inside a character: {advice}"))


# -- the rows ----------------------------------------------------------------------------------


class _Stop(Exception):
    """Raised through the csv module by the line source: the row cannot be read on."""

    def __init__(self, why: str) -> None:
        self.why = why


class _Lines:
    """The lines csv.reader reads, one row's worth at a time, within MAX_ROW_CHARS, keeping the
    current row's text for the message should it go wrong."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.held: list[str] = []
        self.used = 0

    def next_row(self) -> None:
        self.held.clear()
        self.used = 0

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        room = MAX_ROW_CHARS - self.used
        line = self.stream.readline(room + 1)
        if not line:
            # csv.reader asks for a row's next line only inside a quoted value.
            if self.held:
                raise _Stop("open quote")
            raise StopIteration
        self.held.append(line)
        self.used += len(line)
        if len(line) > room:
            raise _Stop("too long")
        if "\x00" in line:
            raise _Stop("nul")
        return line


def csv_rows(
    stream: TextIO, *, columns: Sequence[str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(row number, values) for each row of a CSV text stream, read as the csv module reads it
    (strictly: no text after a closing quote), a blank line being a row of no values.

    Row 1 is the header, unless `columns` says it was read already (the stream then stands at
    row 2): its names only word messages. UnreadableFile stops the reading at a row longer than
    MAX_ROW_CHARS, a NUL character, a quote never closed, text after a closing quote, or bytes
    that are not text, naming the row and the column.
    """
    lines = _Lines(stream)
    reader = csv.reader(lines, strict=True)
    header = [_name(column) for column in columns] if columns is not None else None
    number = 1 if columns is None else 2
    rows_read = 0
    while True:
        lines.next_row()
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise decoding_problem(stream) from None
        except (_Stop, csv.Error) as exc:
            error = _row_problem(exc, number, "".join(lines.held), header)
            raise UnreadableFile(error, rows_read) from None
        if header is None:
            header = [_name(value) for value in values]
        elif values:
            rows_read += 1
        yield number, values
        number += 1


def _name(column: str) -> str:
    return column.strip().lower().lstrip("\ufeff")


def _row_problem(exc: Exception, number: int, text: str, header: list[str] | None) -> RowError:
    """Word why row `number` (its text so far) could not be read."""
    why = exc.why if isinstance(exc, _Stop) else ""
    if why == "nul":
        text = text[: text.index("\x00")]
    index, state = _where(text)
    if header is None:
        column = "(header)"
    elif index < len(header):
        column = header[index]
    else:
        column = f"value {index + 1}"
    if why == "open quote":
        reason = "a quote opened here is never closed: the rest of the file would be one value"
    elif why == "too long" and state == "open quote":
        reason = f"a quoted value longer than {MAX_ROW_CHARS:,} characters: is a quote missing?"
    elif why == "too long":
        reason = f"the row is longer than {MAX_ROW_CHARS:,} characters"
    elif why == "nul":
        reason = "a NUL character: this is not a text file"
    elif state == "after quote":
        reason = 'text after a closing quote: a quote inside a quoted value is written ""'
    else:
        reason = f"not readable as CSV ({exc})"
    return RowError(number, column, reason)


def _where(text: str) -> tuple[int, str]:
    """The value a row's text ends in (its index) and how: in an "open quote", just after
    text that follows a closing quote ("after quote"), or at the "end" of a value."""
    index = position = 0
    end = len(text)
    while position < end:
        if text[position] == '"':
            position += 1
            while True:  # to the closing quote, passing doubled ones
                closing = text.find('"', position)
                if closing == -1:
                    return index, "open quote"
                if text.startswith('"', closing + 1):
                    position = closing + 2
                    continue
                position = closing + 1
                break
            if position < end and text[position] not in ",\r\n":
                return index, "after quote"
        comma = text.find(",", position)
        if comma == -1:
            return index, "end"
        index, position = index + 1, comma + 1
    return index, "end"
