"""No upload holds a web worker: the header and the preview are read within the importers' row
limit, and the preview shows only what a page can (issue: a 10 MB header of a million columns
took 27–55 s and 46.8 MB of HTML to refuse)."""

import html
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.views import PREVIEW_CHARS, PREVIEW_COLUMNS, PREVIEW_ROWS
from tests.conftest import stored
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,touchpoint,metric,score,responded_at,customer_id,segment,comment"


def post(client, body: bytes):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("responses.csv", body, "text/csv")
    return client.post(reverse("metrics:response-upload"), {"file": upload})


def test_a_ten_megabyte_header_of_a_million_columns_is_refused_within_three_seconds(  # type: ignore[no-untyped-def]
    client_for, cco
):
    body = ",".join(f"c{number:07d}" for number in range(1_000_000)).encode() + b"\n1,2\n"
    assert len(body) > 9_000_000
    client = client_for(cco)
    post(client, HEADER.encode())  # the page's first answer loads templates and URLs: not timed
    before = stored()
    started = time.perf_counter()
    page = post(client, body)
    assert time.perf_counter() - started < 3
    assert page.status_code == 400
    assert "the row is longer than 131,072 characters" in page.content.decode()
    assert len(page.content) < 50_000
    assert stored() == before


def test_the_preview_shows_a_few_rows_and_columns_each_cut_short(client_for, cco):  # type: ignore[no-untyped-def]
    TouchpointFactory(slug="live-chat")
    wide = "w1,live-chat,nps,9,2025-03-01,c1,retail," + ",".join(["x" * 500] * 6)
    rows = [wide] + [f"r{n},live-chat,nps,9,2025-03-01,,,ok" for n in range(20)]
    page = post(client_for(cco), "\n".join([HEADER, *rows, ""]).encode())
    text = html.unescape(page.content.decode())
    preview = text[text.index("First rows of the file") :]
    table = re.findall(r"<tr>(.*?)</tr>", preview, re.S)
    assert len(table) == PREVIEW_ROWS + 1  # the header and the first rows
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table[1], re.S)
    assert len(cells) == PREVIEW_COLUMNS + 1 and cells[-1] == "…"  # and there were more
    assert max(len(cell) for cell in cells) == PREVIEW_CHARS
