"""Normalising, sentence splitting, tokenising and lemmatising (simplemma, offline, cached)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import simplemma

# Longer texts are cut here before analysis: a 100 KB comment still gets an answer quickly.
MAX_CHARS = 5000

_TAG = re.compile(r"<[^>]{0,500}>")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+|(?<=[.!?])(?=[A-Z])")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+(?:[.,]\d+)?|[!?,;:]", re.UNICODE)
LEMMA_LANGUAGES = ("nl", "en")


def clean(text: str | None) -> str:
    """Plain text: HTML tags and entities out, whitespace collapsed, cut to ``MAX_CHARS``."""
    if not text:
        return ""
    text = str(text)[: MAX_CHARS * 2]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return _SPACE.sub(" ", text.replace("\x00", " ")).strip()[:MAX_CHARS]


def sentences(text: str) -> list[str]:
    parts = [part.strip() for part in _SENTENCE.split(text)]
    return [part for part in parts if part]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; ``!`` and ``?`` (emphasis) and ``, ; :`` (clause ends) are kept."""
    return [token.lower().replace("’", "'") for token in _TOKEN.findall(text)]


@lru_cache(maxsize=200_000)
def lemma(token: str, language: str) -> str:
    if language not in LEMMA_LANGUAGES or not token[:1].isalpha():
        return token
    try:
        return simplemma.lemmatize(token, lang=language).lower()
    except (ValueError, KeyError):  # pragma: no cover - simplemma's data is in its wheel
        return token


def lemmas(words: list[str], language: str) -> list[str]:
    return [lemma(word, language) for word in words]
