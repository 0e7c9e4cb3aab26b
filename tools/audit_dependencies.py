"""Audit the installed packages with pip-audit, or say plainly that nothing was checked.

pip-audit reads its advisories from PyPI. Where it cannot reach them (on the development
machine the package proxy answers 404), it marks every package "not found on PyPI" and,
without --strict, still prints "No known vulnerabilities found". So first a canary: Django
3.2.0, which has many published advisories. If pip-audit reports them, the advisory data is
reachable and the installed packages are audited with --strict: any known vulnerability, or
any package it could not audit, fails. If not, this prints why and that nothing was checked,
and exits 0.

Run with the virtualenv's python (`make audit` does): it audits that environment.
"""

# Fixed command lines: this python running pip-audit.
# ruff: noqa: S603

import importlib.util
import json
import subprocess
import sys
import tempfile

CANARY = "django==3.2.0"
CANARY_TIMEOUT = 120  # seconds
LOG_PREFIX = "ERROR:pip_audit._cli:"


def canary_failure(stdout: str, stderr: str) -> str | None:
    """None when the canary's JSON report lists advisories for django, else why not (one line)."""
    try:
        dependencies = json.loads(stdout)["dependencies"]
    except (ValueError, TypeError, KeyError):
        return last_line(stderr) or "pip-audit printed no report"
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, dict) and dependency.get("name") == "django":
            if dependency.get("vulns"):
                return None
            return dependency.get("skip_reason") or "it reported no advisory for django 3.2.0"
    return "its report has no entry for django"


def last_line(text: str) -> str:
    """The last non-empty line of pip-audit's error output, without its logger prefix."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1].removeprefix(LOG_PREFIX) if lines else ""


def run_canary() -> str | None:
    """Audit CANARY alone: None when the advisory data answered, else why not."""
    with tempfile.NamedTemporaryFile("w", prefix="canary-", suffix=".txt") as requirements:
        requirements.write(CANARY + "\n")
        requirements.flush()
        command = [sys.executable, "-m", "pip_audit", "--strict", "--no-deps", "--disable-pip"]
        command += ["-f", "json", "-r", requirements.name]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=CANARY_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"no answer within {CANARY_TIMEOUT} s"
    return canary_failure(done.stdout, done.stderr)


def main() -> int:
    if importlib.util.find_spec("pip_audit") is None:
        print(f"pip-audit is not installed for {sys.executable}: run `make install`.", file=sys.stderr)
        return 2
    reason = run_canary()
    if reason is not None:
        print(f"pip-audit skipped: its advisory data is unreachable from this machine ({reason}); nothing was checked.")
        return 0
    print(f"pip-audit: advisory data reachable ({CANARY} shows its advisories); auditing the installed packages.")
    sys.stdout.flush()
    return subprocess.run([sys.executable, "-m", "pip_audit", "--strict"]).returncode


if __name__ == "__main__":
    sys.exit(main())
