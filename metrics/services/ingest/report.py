"""The response import's report, and the one transaction every ingest path runs in."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction

from cco.importing import RowErrorReport, UnreadableFile
from cco.queue import enqueue_on_commit
from metrics.models import SurveyResponse
from metrics.services.rollups import acquire_rollup_lock
from metrics.signals import responses_imported

# Queued by name: metrics.tasks imports the services, so the services do not import it.
ROLLUP_TASK = "metrics.tasks.rollup_incremental_task"


@dataclass
class ImportReport(RowErrorReport):
    rows_read: int = 0
    inserted: int = 0
    already_present: int = 0
    skipped_invalid: int = 0
    rejected: bool = False
    dry_run: bool = False

    @property
    def summary(self) -> str:
        if self.rejected:
            return (
                f"Rejected: {self.error_count} problem(s) in {self.rows_read} row(s); "
                "nothing was saved. Fix the rows listed, or import with “skip invalid rows”."
            )
        verb = "would be added" if self.dry_run else "added"
        parts = [f"{self.rows_read} row(s) read", f"{self.inserted} {verb}"]
        if self.already_present:
            parts.append(f"{self.already_present} already present (not added again)")
        if self.skipped_invalid:
            parts.append(f"{self.skipped_invalid} invalid row(s) skipped")
        if self.rows_read and not self.inserted and not self.skipped_invalid:
            parts.append("nothing new: this data was imported before")
        return "; ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "already_present": self.already_present,
            "skipped_invalid": self.skipped_invalid,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "error_count": self.error_count,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
            "summary": self.summary,
        }


def unreadable_report(problem: UnreadableFile, *, dry_run: bool) -> ImportReport:
    """The report on a file that could not be read to its end: rejected with that one problem,
    whatever its rows before it held (every path stops at the same place)."""
    report = ImportReport(rejected=True, dry_run=dry_run, rows_read=problem.rows_read)
    report.add_error(problem.error)
    return report


def _announce(inserted: int, live: bool) -> None:
    responses_imported.send(sender=SurveyResponse, inserted=inserted, live=live)


class _Abandon(Exception):
    """Rolls the import's transaction back (rejected file or dry run)."""


@contextmanager
def import_transaction(
    report: ImportReport, *, queue_rollup: bool, live: bool = False
) -> Iterator[None]:
    """The import's one transaction: kept only when the file was accepted and is not a dry run,
    so a rejected file leaves nothing behind.

    Many imports may run together, but not while a roll-up moves its watermark (a shared lock).
    After a commit that added responses an incremental roll-up is queued, unless the caller
    rebuilds the roll-ups itself (a large backfill) or catches them up itself (the webhook's
    debounced roll-up); `responses_imported` is sent, `live` for a response arriving as it is
    given (a webhook), so receivers may debounce their work.
    """
    try:
        with transaction.atomic():
            acquire_rollup_lock(shared=True)
            yield
            if report.rejected or report.dry_run:
                raise _Abandon
            if report.inserted and queue_rollup:
                enqueue_on_commit(ROLLUP_TASK)
            if report.inserted:
                transaction.on_commit(partial(_announce, report.inserted, live))
    except _Abandon:
        pass
