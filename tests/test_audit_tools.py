"""tools/audit_dependencies.py: how it reads the canary's report (no network)."""

import json

from tools.audit_dependencies import canary_failure

NOT_FOUND = "Dependency not found on PyPI and could not be audited: django (3.2.0)"


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_advisories_for_django_mean_the_data_is_reachable():
    vulns = [{"id": "PYSEC-2021-98", "fix_versions": ["3.2.1"]}]
    assert canary_failure(report({"name": "django", "version": "3.2.0", "vulns": vulns}), "") is None


def test_django_without_advisories_means_nothing_was_checked():
    assert canary_failure(report({"name": "django", "version": "3.2.0", "vulns": []}), "") is not None


def test_a_skipped_django_gives_pip_audits_reason():
    assert canary_failure(report({"name": "django", "skip_reason": NOT_FOUND}), "") == NOT_FOUND


def test_a_report_without_django_is_not_reachable():
    vulns = [{"id": "PYSEC-1", "fix_versions": []}]
    assert canary_failure(report({"name": "flask", "version": "0.1", "vulns": vulns}), "") is not None


def test_no_report_gives_the_last_error_line():
    stderr = f"WARNING:pip_audit._cli:--no-deps is supported\nERROR:pip_audit._cli:django: {NOT_FOUND}\n"
    assert canary_failure("", stderr) == f"django: {NOT_FOUND}"


def test_garbage_is_not_reachable():
    for stdout in ("not json", "[]", '{"dependencies": "django"}', "null"):
        assert canary_failure(stdout, "") is not None
