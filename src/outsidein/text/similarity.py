"""The stored sentence embeddings of feedback: written once when a comment is analysed, read
by what compares comments (nearest neighbours within the organisation)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from outsidein.text.engine import embeddings
from outsidein.text.models import FeedbackEmbedding

BATCH = 1000


def store_embeddings(
    organisation_id: int, vectors: Iterable[tuple[int, np.ndarray | None]], engine: str
) -> int:
    """Write (feedback id, embedding) pairs as float16 bytes, replacing older ones; a pair
    without an embedding (no words) removes the stored one. Returns how many were written."""
    pairs = list(vectors)
    ids = [pk for pk, _vector in pairs]
    existing = {
        row.feedback_id: row
        for row in FeedbackEmbedding.objects.filter(
            organisation_id=organisation_id, feedback_id__in=ids
        )
    }
    create: list[FeedbackEmbedding] = []
    update: list[FeedbackEmbedding] = []
    gone: list[int] = []
    for pk, vector in pairs:
        blob = embeddings.pack(vector)
        row = existing.get(pk)
        if blob is None:
            if row is not None:
                gone.append(row.pk)
            continue
        if row is None:
            create.append(
                FeedbackEmbedding(
                    organisation_id=organisation_id, feedback_id=pk, vector=blob, engine=engine
                )
            )
        else:
            row.vector, row.engine = blob, engine
            update.append(row)
    FeedbackEmbedding.objects.bulk_create(create, batch_size=BATCH)
    FeedbackEmbedding.objects.bulk_update(update, ["vector", "engine", "updated_at"], BATCH)
    if gone:
        FeedbackEmbedding.objects.filter(pk__in=gone).delete()
    return len(create) + len(update)


def vectors_of(
    organisation_id: int, feedback_ids: Sequence[int] | None = None
) -> tuple[list[int], np.ndarray]:
    """The stored embeddings of the organisation's feedback (all, or the given ids) of the
    encoder that runs now: ``(ids, rows)``."""
    model = embeddings.encoder()
    rows: Any = FeedbackEmbedding.objects.filter(organisation_id=organisation_id)
    if model is not None:
        rows = rows.filter(engine=model.name)
    if feedback_ids is not None:
        rows = rows.filter(feedback_id__in=list(feedback_ids))
    pairs = list(rows.order_by("feedback_id").values_list("feedback_id", "vector"))
    return [pk for pk, _blob in pairs], embeddings.unpack_many([blob for _pk, blob in pairs])


def nearest(
    organisation_id: int,
    vector: np.ndarray,
    candidates: Sequence[int] | None = None,
    *,
    limit: int = 5,
    floor: float = 0.5,
    exclude: Iterable[int] = (),
) -> list[tuple[int, float]]:
    """The feedback (of ``candidates``, or all the organisation's) whose embedding is
    closest to ``vector``: ``(feedback id, cosine)`` with cosine ≥ ``floor``, closest first."""
    ids, matrix = vectors_of(organisation_id, candidates)
    if not ids:
        return []
    similarity = matrix @ np.asarray(vector, dtype=np.float32)
    skip = set(exclude)
    order = np.argsort(-similarity)
    out: list[tuple[int, float]] = []
    for index in order:
        if similarity[index] < floor or len(out) >= limit:
            break
        if ids[index] in skip:
            continue
        out.append((ids[index], round(float(similarity[index]), 3)))
    return out


WINDOW = 5000  # the most recent comments a page compares with (a page stays fast)


def similar_feedback(
    organisation_id: int,
    feedback_id: int,
    visible: Any,
    *,
    limit: int = 5,
    floor: float = 0.6,
) -> list[tuple[int, float]]:
    """Feedback like this one: ``(feedback id, cosine)`` of the nearest neighbours among the
    ``WINDOW`` most recent comments in ``visible`` (a Feedback queryset: what the person may
    see, with the inbox's filters), closest first; [] when this one has no embedding."""
    own = (
        FeedbackEmbedding.objects.filter(organisation_id=organisation_id, feedback_id=feedback_id)
        .values_list("vector", "engine")
        .first()
    )
    if own is None:
        return []
    vector = embeddings.unpack(own[0])
    pairs = list(
        FeedbackEmbedding.objects.filter(
            organisation_id=organisation_id,
            engine=own[1],
            feedback_id__in=visible.values("pk"),
        )
        .exclude(feedback_id=feedback_id)
        .order_by("-feedback_id")
        .values_list("feedback_id", "vector")[:WINDOW]
    )
    if not pairs or vector is None:
        return []
    matrix = embeddings.unpack_many([blob for _pk, blob in pairs])
    similarity = matrix @ vector
    best = np.argsort(-similarity)[:limit]
    return [(pairs[i][0], round(float(similarity[i]), 3)) for i in best if similarity[i] >= floor]
