"""Feeding a file to PostgreSQL's COPY: in blocks of whole lines, read ahead by a thread."""

import queue
import threading
from collections.abc import Generator, Iterator
from typing import Any, TextIO

import psycopg2

from cco.importing import MAX_ROW_CHARS

COPY_CHUNK = 1 << 20


class _Chunks:
    """A file-like object COPY reads from, fed by an iterator of text chunks."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            return next(self.chunks, "")
        except Exception as exc:
            self.error = exc  # psycopg2 reports it only as a cancelled COPY
            raise

    readline = read


def copy_from(cursor: Any, sql: str, chunks: Iterator[str]) -> None:
    """COPY … FROM STDIN fed by chunks. An exception raised while producing them (the file is
    not UTF-8, a line is not plain, …) is raised as itself, so callers can name it or act on
    it, rather than as the cancelled COPY psycopg2 reports."""
    source = _Chunks(chunks)
    try:
        cursor.cursor.copy_expert(sql, source, size=COPY_CHUNK)
    except psycopg2.Error:
        if source.error is not None:
            raise source.error from None
        raise


class LongLine(Exception):
    """A line longer than any valid row (MAX_ROW_CHARS): the file is no plain one, and the reader
    that takes it instead (cco.importing.csv_rows) stops there without reading the rest."""


def line_blocks(stream: TextIO) -> Iterator[str]:
    """The stream in blocks of about COPY_CHUNK characters, each ending at a line end (the last
    one at the end of the file), never empty: an empty read would end a COPY early. LongLine
    once a line that runs past the end of a chunk is longer than MAX_ROW_CHARS."""
    pieces: list[str] = []  # the line begun at the end of the last block
    held = 0
    while chunk := stream.read(COPY_CHUNK):
        cut = chunk.rfind("\n") + 1
        if not cut:
            held += len(chunk)
            if held > MAX_ROW_CHARS:
                raise LongLine
            pieces.append(chunk)
            continue
        pieces.append(chunk[:cut])
        yield "".join(pieces)
        pieces, held = [chunk[cut:]], len(chunk) - cut
    if held:
        yield "".join(pieces)


def read_ahead(chunks: Iterator[str]) -> Generator[str, None, None]:
    """The chunks, produced by a thread of their own one chunk ahead.

    psycopg2 sends a chunk with the interpreter lock released, so preparing the next one
    overlaps PostgreSQL's work on this one instead of waiting for it. An exception in the
    thread is raised here; stopping early (COPY refused a row) stops the thread.
    """
    ready: queue.Queue[tuple[str | None, BaseException | None]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def offer(item: tuple[str | None, BaseException | None]) -> bool:
        """Queue item unless the consumer stopped first; whether it was queued."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer((chunk, None)):
                    return
            offer((None, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            offer((None, exc))

    thread = threading.Thread(target=produce, name="copy-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            chunk, error = ready.get()
            if error is not None:
                raise error
            if chunk is None:
                return
            yield chunk
    finally:
        stop.set()
        thread.join()
