"""docs/security.md quotes the figures of the security tests; they must match the suite."""

from __future__ import annotations

from tests.security import figures


def test_the_security_page_quotes_the_current_figures() -> None:
    expected = figures.render()
    assert figures.in_doc() == expected, (
        "docs/security.md is out of date; run "
        "`DJANGO_SETTINGS_MODULE=outsidein.settings PYTHONPATH=src "
        ".venv/bin/python -m tests.security.figures --write`"
    )
    assert "## Audit trail and GDPR" in figures.DOC.read_text(encoding="utf-8")
