"""Theme discovery on 100,000 comments, one core (part of ``make bench``).

Generates realistic Dutch and English comments, seeded: two thirds from the demo energy
company's comment bank (``voice.demo.comment``: templates per theme and tone, slots, second
sentences, openers, closers, sloppy endings), one third from the retail/service comment composer
of ``bench/data/make_service_comments.py`` (subjects × predicates, turns, neutral questions).
Times ``text.engine.discovery.discover`` on them (pure: no database) and records the peak
memory. Merges a ``discovery`` key into bench/results/text.json (other keys are kept).
``--space embeddings`` times the embedding path instead (key ``discovery_embeddings``), on
synthetic 512-d unit vectors (stand-ins for the stored float16 USE-m3 embeddings: 40 topic
directions chosen by a comment's longest word, plus noise), so no encoder runs in the timing.

    python bench/text_discovery.py [--comments 100000] [--show 12] [--space embeddings]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench" / "data"))
RESULTS = ROOT / "bench" / "results" / "text.json"
TARGET_SECONDS = 120

ENERGY_THEMES = ("billing", "price", "service", "staff", "app", "installation", "green",
                 "switching", "general")  # fmt: skip


def generate(count: int, seed: int = 2026) -> list[tuple[str, str]]:
    import django
    import make_service_comments as service  # bench/data

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsidein.settings")
    django.setup()  # the demo's comment bank lives in modules that import models (no database)
    from outsidein.core.demo import NL_FIRST
    from outsidein.voice import demo

    rng = random.Random(seed)
    items: list[tuple[str, str]] = []
    for _i in range(count):
        language = "nl" if rng.random() < 0.65 else "en"
        if rng.random() < 2 / 3:
            tone = rng.choice(("neg", "neg", "mix", "pos"))
            weights = demo.THEMES_BY_TONE[tone]
            theme = rng.choices(list(weights), list(weights.values()))[0]
            given = {
                "month": demo.MONTH_NAMES[language][rng.randrange(12)],
                "person": rng.choice(NL_FIRST),
            }
            text = demo.comment(rng, theme, tone, language, given)
        else:
            text = service.comment(rng, language)[0]
        items.append((text, language))
    return items


def synthetic_vectors(items: list[tuple[str, str]], seed: int = 2026) -> Any:
    """Unit rows like stored embeddings (float16 precision), a topic per comment's longest word."""
    import zlib

    import numpy as np

    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, 512)).astype(np.float32)
    topic = np.array(
        [zlib.crc32(max(text.split() or [""], key=len).encode()) % 40 for text, _l in items]
    )
    vectors = topics[topic] + 1.5 * rng.normal(size=(len(items), 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float16).astype(np.float32)


def write(key: str, value: Any) -> None:
    """Read-modify-write: the other keys of text.json belong to other benchmarks."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current[key] = value
    RESULTS.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--show", type=int, default=12, help="candidates to print")
    parser.add_argument("--no-write", action="store_true", help="do not touch text.json")
    parser.add_argument("--space", choices=("tfidf", "embeddings"), default="tfidf")
    args = parser.parse_args()

    from outsidein.text.engine import discovery, tokens

    started = time.perf_counter()
    items = generate(args.comments)
    vectors = synthetic_vectors(items) if args.space == "embeddings" else None
    generated = time.perf_counter() - started
    tokens.lemma.cache_clear()  # a cold lemma cache, as in a fresh worker
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    clusters = discovery.discover(items, vectors=vectors)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for cluster in clusters[: args.show]:
        print(f"{cluster.size:6d}  {cluster.label}")
        print(f"        {' | '.join(cluster.keywords[:8])}")
        for index in cluster.examples[:2]:
            print(f"        “{items[index][0][:100]}”")
    result = {
        "comments": args.comments,
        "space": args.space,
        "seconds": round(elapsed, 1),
        "target_seconds": TARGET_SECONDS,
        "candidates": len(clusters),
        "labels": [cluster.label for cluster in clusters[:15]],
        "peak_rss_mb": round(peak),
        "rss_before_mb": round(rss_before),
        "generate_seconds": round(generated, 1),
        "threads": os.environ.get("OMP_NUM_THREADS"),
        "cpu": platform.processor() or platform.machine(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if not args.no_write:
        write("discovery" if args.space == "tfidf" else "discovery_embeddings", result)


if __name__ == "__main__":
    main()
