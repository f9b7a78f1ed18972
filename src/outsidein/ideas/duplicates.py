"""Likely duplicate ideas: the ideas of the same organisation whose text is closest to a new
one's, for the portal (before a customer posts) and for staff (when they triage and merge).

* With the sentence encoder (``text.engine.embeddings``, cross-lingual Dutch/English) the score
  is the cosine of the ideas' embeddings: title (weight 2) and description (weight 1), unit
  length. An idea's embedding is computed on demand, the first time a comparison needs it, and
  stored as float16 (``IdeaEmbedding``) with a hash of its text: an edited idea is re-encoded
  the next time, and the customer's submit never waits for the encoder.
* Without the encoder: TF-IDF over character n-grams of the words that are not stop words
  (same language only), with its own threshold.

The thresholds keep unrelated ideas out (measured on hand-made Dutch/English idea pairs:
translations scored 0.52-0.79 by the encoder, unrelated ideas at most 0.48).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import QuerySet

from outsidein.core.models import Organisation
from outsidein.ideas.models import Idea, IdeaEmbedding
from outsidein.text.engine import embeddings

ENCODER_FLOOR = 0.5  # cosine of embeddings
FALLBACK_FLOOR = 0.4  # cosine of TF-IDF character n-grams
WINDOW = 3000  # the most recent ideas compared with (a suggestion stays fast)
# Ideas without a stored embedding encoded by one anonymous request at most: the first
# suggestions after the encoder arrives (or changes) fill the store a slice at a time instead
# of one visitor's keystroke encoding thousands of ideas. Staff pages and the API encode all.
PUBLIC_ENCODE_AT_MOST = 50
DESCRIPTION_CHARS = 500

STOP = frozenset(
    """a an and are as at be by can for from have i in is it me my of on or our please so that
    the this to we when with would you your de het een en van voor op in is dat die met mijn
    ik je we wij zou graag ook te bij naar om als of er aan niet wel dan kan""".split()  # noqa: SIM905
)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Duplicate:
    idea: Idea
    similarity: float


# --- pure functions --------------------------------------------------------------------------


def idea_text(title: str, description: str = "") -> str:
    return f"{title.strip()}\n{description.strip()[:DESCRIPTION_CHARS]}".strip()


def text_hash(title: str, description: str = "") -> str:
    return hashlib.sha256(idea_text(title, description).encode()).hexdigest()[:40]


def combine(
    title_vectors: np.ndarray, description_vectors: np.ndarray, has_description: Any
) -> Any:
    """Per idea the unit-length ``2 × title + description`` (the title alone without one)."""
    weight = np.asarray(has_description, dtype=np.float32).reshape(-1, 1)
    return embeddings.unit(2 * title_vectors + weight * description_vectors).astype(np.float32)


def rank(
    scores: np.ndarray, ids: Sequence[int], *, floor: float, limit: int
) -> list[tuple[int, float]]:
    """``(id, score)`` of the ``limit`` best scores at or above ``floor``, best first."""
    order = np.argsort(-scores, kind="stable")
    out: list[tuple[int, float]] = []
    for index in order[:limit]:
        if scores[index] < floor:
            break
        out.append((ids[index], round(float(scores[index]), 3)))
    return out


def _content(text: str) -> str:
    return " ".join(w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1)


def lexical_similarity(query: str, texts: Sequence[str]) -> np.ndarray:
    """Cosine of TF-IDF character n-grams (3-5, within words, stop words left out) between the
    query and each text; zeros when the query has no content words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    cleaned = [_content(t) for t in texts]
    wanted = _content(query)
    if not wanted or not texts:
        return np.zeros(len(texts), dtype=np.float32)
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform([*cleaned, wanted])
    except ValueError:  # nothing to count
        return np.zeros(len(texts), dtype=np.float32)
    return np.asarray((matrix[:-1] @ matrix[-1].T).toarray()).ravel().astype(np.float32)


# --- stored embeddings -----------------------------------------------------------------------


def encode_ideas(pairs: Sequence[tuple[str, str]], model: Any) -> np.ndarray:
    titles = embeddings.encode([t for t, _d in pairs], model)
    descriptions = embeddings.encode([d[:DESCRIPTION_CHARS] or " " for _t, d in pairs], model)
    assert titles is not None and descriptions is not None
    return np.asarray(combine(titles, descriptions, [bool(d.strip()) for _t, d in pairs]))


def idea_vectors(
    rows: Sequence[tuple[int, str, str]],
    organisation_id: int,
    model: Any,
    encode_at_most: int | None = None,
) -> Any:
    """The embeddings of ``(id, title, description)`` rows: the stored ones where the text and
    the encoder are unchanged, the others encoded now (in one batch, the newest
    ``encode_at_most`` of them where given: the rest stay zero, never suggested this time) and
    stored."""
    stored = {
        pk: (blob, digest, engine)
        for pk, blob, digest, engine in IdeaEmbedding.objects.filter(
            organisation_id=organisation_id, idea_id__in=[r[0] for r in rows]
        ).values_list("idea_id", "vector", "text_hash", "engine")
    }
    matrix = np.zeros((len(rows), model.dim), dtype=np.float32)
    missing: list[int] = []
    for i, (pk, title, description) in enumerate(rows):
        row = stored.get(pk)
        if row and row[1] == text_hash(title, description) and row[2] == model.name:
            matrix[i] = embeddings.unpack(row[0])
        else:
            missing.append(i)
    if encode_at_most is not None:
        missing = missing[:encode_at_most]  # rows come newest first
    if missing:
        fresh = encode_ideas([(rows[i][1], rows[i][2]) for i in missing], model)
        for j, i in enumerate(missing):
            matrix[i] = fresh[j]
            IdeaEmbedding.objects.update_or_create(
                idea_id=rows[i][0],
                defaults={
                    "organisation_id": organisation_id,
                    "vector": embeddings.pack(fresh[j]),
                    "text_hash": text_hash(rows[i][1], rows[i][2]),
                    "engine": model.name,
                },
            )
    return matrix


# --- the service -----------------------------------------------------------------------------


def likely_duplicates(
    organisation: Organisation,
    title: str,
    body: str = "",
    *,
    among: QuerySet[Idea] | None = None,
    exclude: Iterable[int] | None = None,
    limit: int = 5,
    encode_at_most: int | None = None,
) -> list[Duplicate]:
    """The ideas of ``organisation`` most like ``title``/``body``, closest first, above the
    threshold. ``among``: the ideas that may be suggested (default: what the public portal
    shows: public and not merged); always narrowed to the organisation and never merged ones.
    ``encode_at_most``: how many ideas without a stored embedding this call may encode (the
    portal's anonymous requests pass ``PUBLIC_ENCODE_AT_MOST``; None: all)."""
    title = (title or "").strip()
    if len(title) < 3:
        return []
    from outsidein.ideas.services import public_ideas

    ideas = public_ideas(organisation) if among is None else among
    ideas = ideas.filter(organisation=organisation, merged_into__isnull=True)
    if exclude:
        ideas = ideas.exclude(pk__in=list(exclude))
    rows = list(
        ideas.order_by("-created_at", "-pk").values_list("pk", "title", "description")[:WINDOW]
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    model = embeddings.encoder()
    if model is not None:
        matrix = idea_vectors(rows, organisation.pk, model, encode_at_most)
        query = encode_ideas([(title, body or "")], model)[0]
        found = rank(matrix @ query, ids, floor=ENCODER_FLOOR, limit=limit)
    else:
        scores = lexical_similarity(
            idea_text(title, body or ""), [idea_text(t, d) for _pk, t, d in rows]
        )
        found = rank(scores, ids, floor=FALLBACK_FLOOR, limit=limit)
    by_id = Idea.objects.filter(pk__in=[pk for pk, _s in found]).select_related("author").in_bulk()
    return [Duplicate(by_id[pk], score) for pk, score in found if pk in by_id]
