"""Mutation testing of the rule modules: `make mutate` (see docs/mutation.md).

Each module listed under [tool.mutate] in pyproject.toml is mutated by cosmic-ray, one small
change at a time, and its focused tests run against every mutant; a mutant the tests let
through "survives". cosmic-ray writes each mutant into the file itself, so every module is
mutated in its own copy of the tree under .mutation/: the working tree is never touched, and
modules run side by side.

    python .ci/mutate.py                      every module
    python .ci/mutate.py cco/rules.py         only these
    python .ci/mutate.py --jobs 1             one module at a time
    python .ci/mutate.py --again              only what the last run did not kill

Prints the score per module and every surviving mutant; exits 1 when one survives. Lines marked
`# pragma: no mutate` (with a comment saying why the change is equivalent) are skipped.
"""

import argparse
import ast
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANNOTATION = "inside a type annotation"
WORK = ROOT / ".mutation"
BIN = Path(sys.executable).parent
# Everything the tests need, nothing that only weighs (caches, the virtualenv, git).
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".mutation",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "__pycache__",
    "bench",
    "staticfiles",
    "test-artifacts",
    "db.sqlite3*",
    "node_modules",
)


@dataclass
class Module:
    path: str
    tests: list[str]
    django: bool


@dataclass
class Outcome:
    module: Module
    seconds: float = 0.0
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    skipped: int = 0
    annotations: int = 0
    error: str = ""

    @property
    def tested(self) -> int:
        return self.killed + len(self.survived)

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.tested if self.tested else 100.0


def settings() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["mutate"]


def test_command(module: Module) -> tuple[list[str], dict[str, str]]:
    """The focused tests, stopping at the first failure, on SQLite with eager tasks.

    Pure modules (no Django) run without the project's conftest or plugins: a run then costs a
    fraction of a second instead of the few a Django start-up takes.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DEBUG="1", PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    command = [
        str(BIN / "python"),
        "-m",
        "pytest",
        "-x",
        "-q",
        "-o",
        "addopts=",
        "-p",
        "no:cacheprovider",
        "--strict-markers",
    ]
    if module.django:
        # Tables straight from the models: the same schema on SQLite, built in a blink.
        command += ["-p", "pytest_django.plugin", "--nomigrations"]
    else:
        command += ["--noconftest"]
    return command + module.tests, env


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float | None = None):
    return subprocess.run(  # noqa: S603 - our own venv's tools, arguments built here
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def mutate(module: Module, options: dict, *, again: bool = False) -> Outcome:
    """Mutate one module in its own copy of the tree; one run per module at a time, since
    several people share a working tree."""
    with (WORK / (module.path.replace("/", "__") + ".lock")).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Outcome(module, error="another run is mutating this module now; try later")
        return mutate_alone(module, options, again=again)


def mutate_alone(module: Module, options: dict, *, again: bool) -> Outcome:
    outcome = Outcome(module)
    started = time.monotonic()
    place = WORK / module.path.replace("/", "__").removesuffix(".py")
    tree, config, session = place / "tree", place / "cosmic-ray.toml", place / "session.sqlite"
    again = again and session.exists()
    if not again:
        shutil.rmtree(place, ignore_errors=True)
    shutil.copytree(ROOT, tree, ignore=COPY_IGNORE, dirs_exist_ok=True)
    command, env = test_command(module)

    clean_start = time.monotonic()
    baseline = run(command, cwd=tree, env=env)
    if baseline.returncode != 0:
        outcome.error = "the tests fail before any mutation:\n" + baseline.stdout[-3000:]
        return outcome
    # A mutant that loops forever counts as killed once it runs far longer than the tests do.
    timeout = max(float(options.get("timeout", 30)), 10 * (time.monotonic() - clean_start))
    quoted = " ".join(f"'{part}'" if " " in part else part for part in command)
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module.path}"\n'
        f"timeout = {timeout:.0f}\n"
        "excluded-modules = []\n"
        f'test-command = "{quoted}"\n\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )
    killed_before = killed_mutants(session) if again else set()
    steps = [
        [str(BIN / "cosmic-ray"), "init", str(config), str(session), "--force"],
        [str(BIN / "cr-filter-pragma"), str(session)],
        [str(BIN / "cosmic-ray"), "exec", str(config), str(session)],
    ]
    for step in steps:
        if step[1] == "exec":
            skip_annotations(session, tree / module.path)
            if killed_before:
                keep_killed(session, killed_before)
        done = run(step, cwd=tree, env=env)
        if done.returncode != 0:
            outcome.error = f"{Path(step[0]).name} failed:\n{done.stderr[-3000:]}"
            return outcome
    read_results(outcome, session)
    outcome.seconds = time.monotonic() - started
    return outcome


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) of every type annotation, as (line, character) pairs."""
    lines = source.splitlines()

    def column(line: int, byte_offset: int) -> int:
        return len(lines[line - 1].encode()[:byte_offset].decode())

    spans = []
    for node in ast.walk(ast.parse(source)):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            annotations = [a.annotation for a in every] + [node.returns]
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for a in annotations:
            if a is not None and a.end_lineno is not None and a.end_col_offset is not None:
                spans.append(
                    (
                        (a.lineno, column(a.lineno, a.col_offset)),
                        (a.end_lineno, column(a.end_lineno, a.end_col_offset)),
                    )
                )
    return spans


def skip_annotations(session: Path, module_file: Path) -> None:
    """Skip mutants inside type annotations: mypy judges those, not tests. (Evaluated where they
    are defined, a swapped operator there only breaks the import, which every test run shows.)"""
    spans = annotation_spans(module_file.read_text())
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT job_id, start_pos_row, start_pos_col, end_pos_row, end_pos_col "
            "FROM mutation_specs WHERE job_id NOT IN (SELECT job_id FROM work_results)"
        ).fetchall()
        inside = [
            (job,)
            for job, *start_end in rows
            if any(
                start <= tuple(start_end[:2]) and tuple(start_end[2:]) <= end
                for start, end in spans
            )
        ]
        db.executemany(
            "INSERT INTO work_results (worker_outcome, output, test_outcome, diff, job_id) "
            "VALUES ('SKIPPED', ?, NULL, '', ?)",
            [(ANNOTATION, job) for (job,) in inside],
        )


def killed_mutants(session: Path) -> set[tuple[str, int]]:
    """(operator, occurrence) of each mutant the last run killed.

    Occurrences number the places an operator applies, so they survive edits that add no code
    (a test, a pragma comment); after a change to the module's code, run everything afresh.
    """
    with sqlite3.connect(session) as db:
        return set(
            db.execute(
                "SELECT operator_name, occurrence FROM mutation_specs JOIN work_results "
                "USING (job_id) WHERE test_outcome = 'KILLED'"
            )
        )


def keep_killed(session: Path, killed: set[tuple[str, int]]) -> None:
    """Record the mutants killed last time as killed, so `exec` runs only the others."""
    with sqlite3.connect(session) as db:
        jobs = db.execute(
            "SELECT job_id, operator_name, occurrence FROM mutation_specs "
            "WHERE job_id NOT IN (SELECT job_id FROM work_results)"
        ).fetchall()
        db.executemany(
            "INSERT INTO work_results (worker_outcome, output, test_outcome, diff, job_id) "
            "VALUES ('NORMAL', 'killed in the previous run', 'KILLED', '', ?)",
            [(job,) for job, operator, occurrence in jobs if (operator, occurrence) in killed],
        )


def read_results(outcome: Outcome, session: Path) -> None:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    with use_db(str(session), mode=WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED and result.output == ANNOTATION:
                outcome.annotations += 1
            elif result.worker_outcome == WorkerOutcome.SKIPPED:
                outcome.skipped += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                [mutation] = item.mutations
                lines = (result.diff or "").splitlines()
                changed = [
                    line
                    for line in lines
                    if line[:1] in ("-", "+") and line[:3] not in ("---", "+++")
                ]
                outcome.survived.append(
                    f"{mutation.module_path}:{mutation.start_pos[0]} {mutation.operator_name} "
                    f"#{mutation.occurrence}\n      " + "\n      ".join(changed)
                )
            else:
                # Killed, timed out, or a mutant the interpreter refuses (incompetent): caught.
                outcome.killed += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module paths to mutate (default: all)")
    parser.add_argument("--jobs", type=int, default=None, help="modules mutated side by side")
    parser.add_argument(
        "--again", action="store_true", help="run again only what the last run did not kill"
    )
    args = parser.parse_args()
    options = settings()
    modules = [Module(m["path"], m["tests"], m.get("django", True)) for m in options["module"]]
    if args.modules:
        unknown = set(args.modules) - {m.path for m in modules}
        if unknown:
            parser.error(f"not in [tool.mutate]: {', '.join(sorted(unknown))}")
        modules = [m for m in modules if m.path in args.modules]
    jobs = args.jobs or int(os.environ.get("MUTATE_JOBS", options.get("jobs", 2)))

    WORK.mkdir(exist_ok=True)
    started = time.monotonic()
    print(f"Mutating {len(modules)} module(s), {jobs} at a time…", flush=True)
    outcomes = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for outcome in pool.map(lambda m: mutate(m, options, again=args.again), modules):
            outcomes.append(outcome)
            shown = outcome.error.splitlines()[0] if outcome.error else f"{outcome.score:.1f} %"
            print(f"  {outcome.module.path}: {shown}", flush=True)

    header = ("module", "tested", "killed", "survived", "pragma", "annot.", "score", "minutes")
    rows = [
        (
            o.module.path,
            o.tested,
            o.killed,
            len(o.survived),
            o.skipped,
            o.annotations,
            f"{o.score:.1f}%",
            f"{o.seconds / 60:.1f}",
        )
        for o in outcomes
    ]
    tested, killed = sum(o.tested for o in outcomes), sum(o.killed for o in outcomes)
    rows.append(
        (
            "all",
            tested,
            killed,
            tested - killed,
            sum(o.skipped for o in outcomes),
            sum(o.annotations for o in outcomes),
            f"{100.0 * killed / tested if tested else 100.0:.1f}%",
            f"{(time.monotonic() - started) / 60:.1f}",
        )
    )
    print()
    for row in [header, *rows]:
        print(f"{row[0]:40}" + "".join(f"{cell:>9}" for cell in row[1:]))
    for o in outcomes:
        if o.error:
            print(f"\n{o.module.path}: {o.error}")
        if o.survived:
            print(f"\nSurviving mutants of {o.module.path}:")
            for mutant in o.survived:
                print(f"  {mutant}")
    return 1 if any(o.error or o.survived for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
