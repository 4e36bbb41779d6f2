"""Run pip-audit over the installed environment and say how much it could actually check.

pip-audit exits non-zero when an installed package has a known vulnerability; that fails CI.
A package the vulnerability service does not know (a package index mirror that lacks the
per-version records, or a version newer than the service) is skipped by pip-audit without a
word in its exit status, so this prints how many were audited and how many were skipped:
a run that audited nothing must not pass for one that found nothing.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "pip-audit.json"
        result = subprocess.run(  # noqa: S603 - our own venv's pip-audit, fixed arguments
            [
                str(BIN / "pip-audit"),
                "--skip-editable",
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report),
            ],
            check=False,
        )
        dependencies = json.loads(report.read_text())["dependencies"] if report.exists() else []
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"pip-audit: {dependency['name']} {dependency['version']} is vulnerable: {ids}")
    print(f"pip-audit: {audited} packages audited, {len(vulnerable)} vulnerable, ", end="")
    print(f"{len(skipped)} not known to the vulnerability service (not audited)")
    if skipped and not audited:
        print(
            "pip-audit: WARNING: no package could be looked up, so nothing was audited; "
            "check that the vulnerability service is reachable from this machine."
        )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
