"""Dutch ships complete: every message translated, and the compiled catalogue matches."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = (
    Path(__file__).resolve().parent.parent / "src" / "outsidein" / "locale" / "nl" / "LC_MESSAGES"
)


def _entries() -> list[dict[str, str]]:
    """Minimal .po reader: one entry per blank-line-separated block, header skipped."""
    entries = []
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr\[\d\]|msgstr) "(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _unescape(text: str) -> str:
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 200
    for entry in entries:
        assert "fuzzy" not in entry.get("flags", ""), entry["msgid"]
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert translations and all(translations), f"untranslated: {entry['msgid']!r}"


def test_placeholders_survive_translation() -> None:
    for entry in _entries():
        wanted = set(re.findall(r"%\(\w+\)s", entry["msgid"]))
        for key, value in entry.items():
            if key.startswith("msgstr"):
                assert set(re.findall(r"%\(\w+\)s", value)) <= wanted | set(
                    re.findall(r"%\(\w+\)s", entry.get("msgid_plural", ""))
                ), entry["msgid"]


def test_compiled_catalogue_matches_the_source() -> None:
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    for entry in _entries():
        if "msgid_plural" in entry:
            continue
        msgid = _unescape(entry["msgid"])
        if "msgctxt" in entry:
            found = catalogue.pgettext(_unescape(entry["msgctxt"]), msgid)
        else:
            found = catalogue.gettext(msgid)
        assert found == _unescape(entry["msgstr"]), (
            f"django.mo is stale for {entry['msgid']!r}: run `make messages`"
        )


@pytest.mark.django_db
def test_pages_render_in_dutch(client: object) -> None:
    from django.test import Client

    response = Client(headers={"Accept-Language": "nl"}).get("/login/")
    content = response.content.decode()
    assert "Inloggen" in content
    assert "Forgot your password?" not in content
