"""The README is a newcomer's page, and the documentation holds together in a fresh clone.

A clone holds only this repository: a link to a file outside it, or to one that was moved or
never written, is a dead end for the reader. The configuration table and the demo logins are
checked against the code that defines them, so the README cannot drift from what runs.
"""

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_MAX_LINES = 200
ENV_HELPERS = {"env_str", "env_int", "env_bool", "env_list"}
APPS = ("cco", "metrics", "roadmap", "accountability", "overview")

FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
BACKTICKED_NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def documentation_pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def link_targets(markdown: str) -> list[str]:
    """Every link target in a Markdown text, code blocks and code spans aside."""
    prose = CODE_SPAN.sub("", FENCED_BLOCK.sub("", markdown))
    return INLINE_LINK.findall(prose) + REFERENCE_LINK.findall(prose)


def section(markdown: str, heading: str) -> str:
    """The text under a `## heading`, up to the next heading of the same level."""
    start = markdown.index(f"\n## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


@functools.cache
def variables_read_by_the_code() -> frozenset[str]:
    """Names of every environment variable the product reads through cco/env.py's helpers
    (parsed once: two tests ask, and the product's files do not change during a run)."""
    names: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ENV_HELPERS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    names.add(node.args[0].value)
    return frozenset(names)


def test_the_readme_stays_a_short_page_for_a_newcomer():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines (at most {README_MAX_LINES}): move the details to docs/"
    )


def test_the_link_check_finds_links_and_ignores_code():
    text = (
        "See [the API](docs/api.md#errors) and [site](https://example.com).\n"
        '![chart](docs/chart.png "title")\n'
        "`[not](a-link.md)`\n"
        "```\n[not](either.md)\n```\n"
        "[ref]: docs/ref.md\n"
    )
    assert link_targets(text) == [
        "docs/api.md#errors",
        "https://example.com",
        "docs/chart.png",
        "docs/ref.md",
    ]


def test_every_relative_link_in_the_documentation_reaches_a_file_in_the_repository():
    pages = documentation_pages()
    assert (ROOT / "docs" / "architecture.md") in pages
    broken = []
    for page in pages:
        for target in link_targets(page.read_text(encoding="utf-8")):
            if SCHEME.match(target) or target.startswith("#"):
                continue
            path = target.split("#", 1)[0].split("?", 1)[0]
            resolved = (page.parent / path).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, "links to files that are not in the repository: " + ", ".join(broken)


def test_no_page_sends_the_reader_outside_the_repository():
    for page in documentation_pages():
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{page.relative_to(ROOT)} points at ../shared"


def test_the_configuration_table_names_exactly_the_variables_the_settings_read():
    read = variables_read_by_the_code()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= read
    table = section(README.read_text(encoding="utf-8"), "Configuration")
    documented = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in BACKTICKED_NAME.findall(line.split("|")[1])
    }
    assert documented == read, (
        f"missing from the README: {sorted(read - documented)}; "
        f"not read by the code: {sorted(documented - read)}"
    )


def test_env_example_lists_exactly_the_variables_the_settings_read():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    assert listed == variables_read_by_the_code()


def test_every_demo_login_is_in_the_readme():
    from cco.demo import DEPARTMENTS

    logins = section(README.read_text(encoding="utf-8"), "Demo logins")
    usernames = ["cco", "executive", "board"]
    for department in DEPARTMENTS:
        usernames.append(f"head-{department.slug}")
        usernames += [f"{department.slug}-{n}" for n in range(1, len(department.contributors) + 1)]
    missing = [name for name in usernames if f"`{name}`" not in logins]
    assert not missing, f"demo logins missing from the README: {missing}"
    assert "`demo`" in logins
