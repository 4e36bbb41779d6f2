"""What every file importer (responses, customer outcomes, the roadmap) says about refused rows.

One row error, worded the same way everywhere, and one report of them: every problem counted,
the first MAX_REPORTED_ERRORS listed (a file with a million bad rows must not make a page or an
API answer of a million lines).
"""

from dataclasses import dataclass, field

MAX_REPORTED_ERRORS = 100


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
