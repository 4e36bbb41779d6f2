"""Survey response ingest: one set of rules (metrics.validation), several ways to apply them.

dispatch        which path a file takes, and why (start here)
python_path     every row through the Python validator (the API, SQLite, the fallback)
straight_in     bulk import of a plain file: COPY straight into the response table
staged_copy     COPY of a file's text into a staging table
plain_typed     a plain staged file typed and inserted in one statement
full_check      every staged row judged in SQL, the validator wording the report
plain_files     what makes a file plain, recognised while it streams
date_forms      the usual date form as a regular expression and as SQL
duplicates      an external id twice in a file
response_table  staged rows into the response table, row by row or in bulk
copy_io         feeding COPY in blocks of whole lines, read ahead by a thread
file_load       what the COPY paths share about a file
report          the report, and the one transaction every path runs in
"""

from cco.importing import MAX_REPORTED_ERRORS
from metrics.services.ingest.dispatch import response_import_file
from metrics.services.ingest.python_path import (
    response_import,
    response_import_csv,
    response_import_row,
)
from metrics.services.ingest.report import ImportReport

__all__ = [
    "MAX_REPORTED_ERRORS",
    "ImportReport",
    "response_import",
    "response_import_csv",
    "response_import_file",
    "response_import_row",
]
