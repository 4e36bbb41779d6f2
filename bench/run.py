"""Benchmark of ingest and roll-ups on PostgreSQL (see README, "Metrics → Benchmark").

    python bench/run.py [--responses N] [--csv FILE] [--keep-file] [--no-bulk]

Generates a deterministic CSV of N responses (default 1 000 000) over two years and 40 touch
points (or reuses --csv FILE, e.g. one kept from an earlier run with --keep-file), then measures
in one run, on the same table:
  - ingest through `manage.py import_responses --bulk` (a child process: rows/s and its peak RSS;
    --no-bulk leaves out --bulk);
  - `rollup_rebuild`, and a plain SQL GROUP BY touch point, day over the same rows;
  - `rollup_incremental` after 10 000 more responses;
  - filing follow-up cases for the low scores of the last 30 days, kept out of the ingest's time
    (with no broker the import would file them in its own process) and timed on its own;
  - the executive overview (GET /) as an executive: server time and queries per request, warm
    (panels cached) and cold (cache emptied before each request), beside the sign-in page;
  - say versus do's rebuild at every level (peer: the organisation-only query it replaced), the
    segment roll-up's rebuild and the quarterly board pack (peer: the overview above), once
    every customer id of the answers has an outcome;
  - the server's floor for the ingest: the same rows, touch points already as ids, loaded by a
    bare COPY into a table of the response table's shape, then its indexes and foreign key built
    (no validation at all: no importer can store the rows faster on this server).
A CHECKPOINT before the ingest, the rebuild and the floor keeps one step's writes out of the next
step's time.
It ends with one `name=value` line per figure so runs can be compared.
"""

import argparse
import csv
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from money import time_money  # noqa: E402 - bench/ is a folder of scripts, not a package
from overview_timing import (  # noqa: E402
    file_followups,
    hold_followups,
    time_overview,
    time_overview_cold_and_peer,
)
from serve import checkpoint  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cco_bench"
TOUCHPOINTS = 40
NEW_RESPONSES = 10_000


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

    settings = dj_database_url.parse(url)
    if settings["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    admin = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    admin.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings["NAME"])))
            print(f"created database {settings['NAME']}")
    admin.close()


def prepare_schema() -> list[str]:
    """Migrate, empty the metrics tables, and make sure 40 touch points exist."""
    from django.core.management import call_command
    from django.db import connection

    from cco.models import Department
    from metrics.models import Channel, Journey, JourneyStage, Touchpoint

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE metrics_breach, metrics_rollup, metrics_rollupwatermark, "
            "metrics_surveyresponse, metrics_customeroutcome, metrics_saydorollup, "
            "metrics_segmentrollup, accountability_followupcaseresponse, "
            "accountability_followupevent, accountability_followupcase, "
            "accountability_followupwatermark CASCADE"  # the bench database is the bench's own
        )
    departments = [
        Department.objects.get_or_create(slug=f"bench-{i}", defaults={"name": f"Bench {i}"})[0]
        for i in range(8)
    ]
    journey, _ = Journey.objects.get_or_create(slug="bench", defaults={"name": "Bench journey"})
    slugs = []
    for i in range(TOUCHPOINTS):
        stage, _ = JourneyStage.objects.get_or_create(
            journey=journey, name=f"Stage {i // 8}", defaults={"order": i // 8}
        )
        slug = f"bench-tp-{i}"
        Touchpoint.objects.get_or_create(
            slug=slug,
            defaults={
                "name": f"Bench touch point {i}",
                "stage": stage,
                "channel": Channel.values[i % len(Channel.values)],
                "department": departments[i % len(departments)],
                "nps_floor": 0,
            },
        )
        slugs.append(slug)
    return slugs


def write_csv(path: Path, count: int, slugs: list[str], *, prefix: str, days: int) -> None:
    generator = random.Random(f"bench-{prefix}-{count}")
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    span = days * 86_400
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "external_id", "touchpoint", "metric", "score", "responded_at",
                "customer_id", "segment", "comment",
            ]
        )  # fmt: skip
        for i in range(count):
            metric = ("nps", "nps", "csat", "ces")[i % 4]
            high = {"nps": 10, "csat": 5, "ces": 7}[metric]
            low = 0 if metric == "nps" else 1
            score = min(high, max(low, int(generator.gauss(high * 0.75, 2))))
            when = end - timedelta(seconds=generator.randrange(span))
            writer.writerow(
                [
                    f"{prefix}{i}", slugs[i % len(slugs)], metric, score,
                    when.isoformat(), f"c{i % 50_000}", "retail" if i % 3 else "business",
                    "Slow to answer" if i % 997 == 0 else "",
                ]
            )  # fmt: skip


def timed_import(path: Path, env: dict[str, str], *, bulk: bool) -> tuple[float, float]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "import_responses", str(path), "--source", "bench",
         "--no-rollup", "--no-progress", *(["--bulk"] if bulk else [])],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1024


def time_copy_floor(path: Path, typed: Path) -> float:
    """Seconds PostgreSQL alone needs to store the file's rows as the response table holds them.

    The file is first rewritten to `typed` with touch point ids in place of slugs (not timed).
    Its rows then go by COPY into a new table like metrics_surveyresponse (logged, as the real
    one is), which gets the response table's three indexes and its foreign key; the transaction
    is rolled back.
    """
    from metrics.models import Touchpoint

    ids = dict(Touchpoint.objects.values_list("slug", "id"))
    with path.open(newline="", encoding="utf-8") as source, typed.open("w", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        header = next(reader)
        column = header.index("touchpoint")
        writer.writerow(["touchpoint_id" if i == column else name for i, name in enumerate(header)])
        for row in reader:
            row[column] = ids[row[column]]
            writer.writerow(row)
    columns = ", ".join("touchpoint_id" if name == "touchpoint" else name for name in header)
    try:
        return _copy_floor_seconds(typed, columns)
    finally:
        typed.unlink()


def _copy_floor_seconds(typed: Path, columns: str) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        structures = _response_structures_on("bench_copy_floor", cursor)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy_floor (LIKE metrics_surveyresponse INCLUDING DEFAULTS "
            "INCLUDING IDENTITY INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            "ALTER TABLE bench_copy_floor ALTER source SET DEFAULT 'bench', "
            "ALTER received_at SET DEFAULT now()"
        )
        with typed.open("rb") as handle:
            cursor.copy_expert(
                f"COPY bench_copy_floor ({columns}) FROM STDIN WITH (FORMAT csv, HEADER, "
                "FORCE_NOT_NULL (customer_id, segment, comment))",
                handle,
            )
        for statement in structures:
            cursor.execute(statement)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _response_structures_on(table: str, cursor: Any) -> list[str]:
    """The response table's indexes, then its unique, primary-key and foreign-key constraints,
    as statements that build them on `table` (read from the catalogue, so they follow the
    migrations)."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = "
        "'metrics_surveyresponse'::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    )
    # "CREATE INDEX name ON public.metrics_surveyresponse USING …" → an unnamed index on table.
    indexes = [
        re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+", rf"CREATE \1INDEX ON {table}", definition)
        for (definition,) in cursor.fetchall()
    ]
    cursor.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
        "'metrics_surveyresponse'::regclass AND contype IN ('u', 'p', 'f') ORDER BY contype DESC"
    )
    return indexes + [
        f"ALTER TABLE {table} ADD {definition}" for (definition,) in cursor.fetchall()
    ]


def count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--keep-file", action="store_true", help="Keep the generated CSV.")
    parser.add_argument("--csv", type=Path, help="Reuse this history CSV instead of generating.")
    parser.add_argument(
        "--no-bulk", action="store_true", help="Import without --bulk (row-by-row indexes)."
    )
    parser.add_argument(
        "--money-only",
        action="store_true",
        help="Only time say versus do, the segment roll-up and the board pack, on what the "
        "bench database already holds.",
    )
    parser.add_argument(
        "--overview-only",
        action="store_true",
        help="Only time the overview, on what the bench database already holds.",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": os.environ.get("DEBUG", "1")}
    env.pop("REDIS_URL", None)  # tasks run eagerly in this process; no broker needed
    os.environ.update({"DATABASE_URL": url, "DEBUG": env["DEBUG"]})
    os.environ.pop("REDIS_URL", None)
    ensure_database(url)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cco.settings")
    import django

    django.setup()
    from django.db import connection

    from metrics.services import rollup_incremental, rollup_rebuild

    if args.overview_only:
        overview_p50, overview_p95, overview_queries = time_overview()
        print(f"overview_p50_ms={overview_p50:.1f}")
        print(f"overview_p95_ms={overview_p95:.1f}")
        print(f"overview_queries={overview_queries}")
        for name, value in time_overview_cold_and_peer().items():
            print(f"{name}={value}")
        print(f"load_average={' '.join(f'{load:.2f}' for load in os.getloadavg())}")
        return
    if args.money_only:
        for name, value in time_money().items():
            print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")
        return
    slugs = prepare_schema()
    workdir = Path(tempfile.mkdtemp(prefix="cco-bench-"))
    history, fresh = workdir / "responses.csv", workdir / "new.csv"
    started = time.perf_counter()
    if args.csv:
        history = args.csv
        args.responses = count_rows(history)
    else:
        write_csv(history, args.responses, slugs, prefix="h", days=730)
    write_csv(fresh, NEW_RESPONSES, slugs, prefix="n", days=2)
    print(f"prepared {args.responses:,} rows in {time.perf_counter() - started:.1f} s")

    checkpoint()
    hold_followups()  # the import's follow-up task is timed on its own below
    ingest_s, peak_mb = timed_import(history, env, bulk=not args.no_bulk)
    rows_per_s = args.responses / ingest_s
    print(f"ingest: {ingest_s:.1f} s, {rows_per_s:,.0f} rows/s, peak RSS {peak_mb:.0f} MB")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE metrics_surveyresponse")
    checkpoint()

    rebuild = rollup_rebuild(detect=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT touchpoint_id, (responded_at AT TIME ZONE 'UTC')::date AS day, "
            "COUNT(*) FILTER (WHERE score >= 9), COUNT(*) FILTER (WHERE score <= 6) "
            "FROM metrics_surveyresponse GROUP BY 1, 2"
        )
        groups = len(cursor.fetchall())
    raw_s = time.perf_counter() - started
    print(
        f"rollup_rebuild: {rebuild.seconds:.2f} s; raw GROUP BY ({groups:,} groups): {raw_s:.2f} s"
    )

    subprocess.run(
        [sys.executable, "manage.py", "import_responses", str(fresh), "--source", "bench",
         "--no-rollup", "--no-progress"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    incremental = rollup_incremental(detect=True)
    print(f"rollup_incremental ({incremental.responses:,} new): {incremental.seconds:.3f} s")

    followup_s, followup_cases = file_followups()
    print(f"follow-up cases filed after the ingest: {followup_cases:,} in {followup_s:.1f} s")
    overview_p50, overview_p95, overview_queries = time_overview()
    print(
        f"overview: p50 {overview_p50:.0f} ms, p95 {overview_p95:.0f} ms, "
        f"{overview_queries} queries"
    )
    cold = time_overview_cold_and_peer()
    print(", ".join(f"{name}={value}" for name, value in cold.items()))

    money = time_money()
    print(
        f"say versus do rebuild: {money['say_do_rebuild_s']:.2f} s "
        f"(organisation-only peer {money['say_do_organisation_only_s']:.2f} s, "
        f"{money['say_do_customers']:,.0f} customers); segment roll-up rebuild: "
        f"{money['segment_rollup_rebuild_s']:.2f} s; board pack: {money['board_pack_s']:.2f} s "
        f"(its selectors {money['board_pack_data_s']:.2f} s)"
    )

    checkpoint()
    floor_rows_per_s = args.responses / time_copy_floor(history, workdir / "typed.csv")
    print(f"server floor (bare COPY + indexes, no validation): {floor_rows_per_s:,.0f} rows/s")

    if not args.keep_file:
        if not args.csv:
            history.unlink()
        fresh.unlink()
        workdir.rmdir()
    figures = {
        "responses": args.responses,
        "ingest_rows_per_s": round(rows_per_s),
        "ingest_peak_rss_mb": round(peak_mb),
        "copy_floor_rows_per_s": round(floor_rows_per_s),
        "rollup_rebuild_s": round(rebuild.seconds, 3),
        "raw_groupby_s": round(raw_s, 3),
        "rollup_incremental_s": round(incremental.seconds, 3),
        "followup_open_s": round(followup_s, 2),
        "followup_cases": followup_cases,
        "overview_p50_ms": round(overview_p50, 1),
        "overview_p95_ms": round(overview_p95, 1),
        "overview_queries": overview_queries,
        **cold,
        "ingest_mode": "row-by-row" if args.no_bulk else "bulk",
        **{name: round(value, 3) for name, value in money.items()},
    }
    figures["load_average"] = " ".join(f"{load:.2f}" for load in os.getloadavg())
    for name, value in figures.items():
        print(f"{name}={value}")


if __name__ == "__main__":
    main()
