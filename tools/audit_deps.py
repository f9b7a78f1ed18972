"""`make lint`'s dependency audit: pip-audit over the locked dependencies, honestly summarised.

pip-audit asks a vulnerability service about every pinned version (PyPI's per-version JSON,
or OSV). Where neither can be reached (a mirror that serves only the package index, an offline
machine) pip-audit skips each package and still exits 0, which reads like "no vulnerabilities".
This wrapper says how many packages were really audited, fails on any known vulnerability, and
fails when nothing could be audited only with --strict (or OUTSIDEIN_AUDIT_STRICT=1), so a
laptop without internet can still lint while CI with internet can insist.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run_audit(lock_file: str, service: str) -> dict:
    command = [
        str(BIN / "pip-audit"),
        "--requirement",
        lock_file,
        "--require-hashes",
        "--disable-pip",
        "--vulnerability-service",
        service,
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "10",
    ]
    # Our own pip-audit with fixed arguments.
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(finished.stdout or "{}")
    except json.JSONDecodeError:
        sys.stderr.write(finished.stderr)
        raise SystemExit(f"pip-audit did not answer in JSON (exit {finished.returncode})") from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock_file")
    parser.add_argument(
        "--strict", action="store_true", default=bool(os.environ.get("OUTSIDEIN_AUDIT_STRICT"))
    )
    args = parser.parse_args()
    if not Path(args.lock_file).is_file():
        raise SystemExit(f"dependency audit: {args.lock_file} not found (run `make lock`)")

    dependencies: list[dict] = []
    audited: list[dict] = []
    for service in ("pypi", "osv"):
        report = run_audit(args.lock_file, service)
        if len(report.get("dependencies", [])) > len(dependencies):
            dependencies = report["dependencies"]
        audited = [d for d in report.get("dependencies", []) if "skip_reason" not in d]
        if audited:
            dependencies = report["dependencies"]
            break
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
            name, version = dependency["name"], dependency["version"]
            print(f"VULNERABLE {name} {version}: {vuln['id']} (fixed in {fixed})")
    print(
        f"dependency audit: {len(audited)} of {len(dependencies)} locked packages audited, "
        f"{len(vulnerable)} with a known vulnerability."
    )
    if vulnerable:
        return 1
    if not audited and dependencies:
        print(
            "dependency audit: no vulnerability service could be reached (PyPI's per-version JSON "
            "or api.osv.dev), so nothing was audited."
            + (
                " Failing because --strict."
                if args.strict
                else " Run with internet access to audit."
            )
        )
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
