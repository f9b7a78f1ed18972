"""Theme discovery: cluster comments into candidate themes with readable labels.

Pure functions, no database. The input is a list of ``(text, language)``; the output a list of
:class:`Cluster` (members, key phrases per language, a label, representative examples).

How it works, per language (Dutch and English; other languages are left out):

1. Every comment becomes lemma unigrams and bigrams (``tokens``), without stop words and without
   generic sentiment words ("good", "slecht"), which say how a customer feels but not about what.
   A bigram may start with a modifier that carries the meaning ("te laat", "too expensive",
   "geen reactie"), never end with one.
2. TF-IDF (sublinear, terms in at least a few comments and at most 70% of them), reduced with
   TruncatedSVD (LSA) and normalised, then k-means. k is chosen from a bounded range by the
   silhouette on a sample (cheap and deterministic: fixed random state).
3. Per cluster, key phrases are the terms over-represented in it (coverage × lift), bigrams a
   little preferred; the label is the best phrase or two, in the words customers used most.
   Clusters that are tiny or have no phrase shared by a quarter of their comments are dropped
   (a "miscellaneous" cluster is no theme); clusters with the same label are merged.
4. A small built-in Dutch-English glossary of customer-service words links the clusters of the
   two languages: a Dutch and an English cluster speaking of the same concepts (mutual best match)
   become one candidate with key phrases in both languages. A one-language candidate gets the
   glossary's translations of its phrases, so its keywords match in both languages.
5. Candidates whose label phrases are already keywords of the taxonomy (``known``) are dropped.

With sentence embeddings (``vectors``: one unit row per comment, e.g. the stored USE-m3
embeddings) steps 2 and 4 change: all languages are clustered together in the embedding space
(each language's mean removed, so that Dutch and English sentences about one thing meet), k-means
with k chosen as above, then clusters whose centres point the same way are joined (average
linkage) and clusters sharing their core phrase are merged. Key phrases and labels still come
from the lemma TF-IDF of each language's members of a cluster, so a cluster's label reads
"bezorging te laat / late delivery" without a glossary.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from outsidein.text.engine import tokens

LANGUAGES = ("nl", "en")
RANDOM_STATE = 2026
MAX_CLUSTERS = 30
MIN_COVERAGE = 0.25  # the label phrase must be in at least this share of a cluster's comments
PHRASES = 8
EXAMPLES = 3

Reporter = Callable[[int, str], None]

# Words that carry the meaning of the word after them: kept as the first word of a bigram.
MODIFIERS = {
    "nl": {"te", "niet", "geen", "nooit", "veel", "lang", "lange", "slecht", "slechte"},
    "en": {"too", "not", "no", "never", "long", "poor", "bad"},
}


def _words(text: str) -> set[str]:
    return set(text.split())


STOP = {
    "nl": _words(
        """
        aan aangezien al alle alles als alsof altijd ander andere anders bij bijna binnen boven
        daar daarom dan dat de deze die dit doch doen door dus echter een eens en enige enkel er
        erg even ex gaan gauw ge gedaan geen geweest haar had hadden heb hebben hebt heeft hem
        hen het hier hij hoe hun iemand iets ik in is ja je jij jou jouw jullie kan kon konden
        kunnen kunt maar me meer men met mij mijn moet moeten na naar niet niets nog nu of om
        omdat ons onze ook op over reeds te tegen toch toen tot u uit uw van veel voor want
        waren was wat we wel werd wezen wie wij wil wilde wilden willen worden word wordt zal
        ze zei zelf zich zij zijn zo zonder zou zouden zullen hunne daarna daarbij weer alweer
        steeds gewoon eigenlijk echt heel zeer helemaal keer jaar week dag maand vandaag
        gisteren morgen ooit nooit soms vaak bijvoorbeeld iedereen elke elk ieder zeggen
        krijgen komen maken staan zien vinden geven houden mogen hoeven weten denken zitten
        liggen blijven graag alleen zeker misschien waarom waar wanneer welke welk hoeveel
        minuut minuten uur euro cent seconde seconden vorig vorige volgende laatst laatste
        eerst eerste tweede drie twee vier vijf één ding dingen beetje per via tijdens sinds
        vanaf rond ongeveer klant klanten bedrijf ben bent jaren natuurlijk ineens inmiddels
        nou hoor hè oh ok oké nee
        """
    ),
    "en": _words(
        """
        a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing done down during
        each few for from further had has have having he her here hers herself him himself his
        how i if in into is it its itself just me more most my myself nor of off on once only
        or other our ours ourselves out over own same she should so some such than that the
        their theirs them themselves then there these they this those through to under until
        up very was we were what when where which while who whom why will with would you your
        yours yourself yourselves get got getting go going went gone make made say said says
        take took come came know think see let still even ever yet really already always
        sometimes often one two three four five first second last next day days hour hours
        minute minutes euro euros cent o'clock week weeks month months year years today
        yesterday tomorrow thing things something anything everything nothing lot lots bit
        much many every another via per since around though although however maybe perhaps
        please might must shall customer customers company i'm i've i'd it's that's there's
        can't don't won't didn't isn't wasn't doesn't haven't hasn't couldn't wouldn't ok okay
        yes oh well
        """
    ),
}

# Words that say how a customer feels rather than what about: no theme is made of them.
GENERIC = {
    "nl": _words(
        """
        goed goede slecht slechte prima fijn fijne leuk leuke mooi mooie geweldig geweldige
        super top toppie perfect perfecte fantastisch uitstekend uitstekende tevreden
        ontevreden blij teleurgesteld teleurstellend jammer helaas dank bedankt bedanken
        complimenten compliment aanrader aanbevelen waardeloos verschrikkelijk vreselijk
        slordig prettig prettige heerlijk vervelend vervelende irritant lekker normaal
        redelijk gemiddeld matig oké ok beste best beter erg heel zeer echt acceptabel
        onacceptabel vertellen nieuw mis niks klacht klachten wow balen belachelijk
        """
    ),
    "en": _words(
        """
        good great bad poor nice fine excellent terrible awful horrible perfect amazing
        fantastic wonderful brilliant awesome outstanding happy unhappy satisfied
        dissatisfied disappointed disappointing glad love loved hate hated like liked thanks
        thank recommend recommended best better worst worse pleased annoying annoyed
        frustrating frustrated ok okay decent average mediocre superb lovely pleasant
        acceptable unacceptable complaint complaints special sadly ridiculous
        """
    ),
}

# Common verbs and plain adjectives: they make a phrase ("te laat", "arrived late", "duidelijke
# tarieven") but say too little alone to be a key phrase or a label.
WEAK = {
    "nl": _words(
        """
        laten duren helpen mee werken lukken kloppen regelen zetten lopen brengen halen sturen
        horen lezen gebruiken proberen zoeken kijken leggen spreken praten zorgen nemen
        eerlijk eerlijke duidelijk duidelijke handig handige snel snelle lang lange kort korte
        groot grote klein kleine hoog hoge laag lage veel weinig zelfs binnen buiten pas
        precies ergens iemand niemand gewoon vanzelf verder rest later direct meteen
        """
    ),
    "en": _words(
        """
        work works worked working right look looked use used try tried need needed want wanted
        help helped tell told ask asked give gave keep kept find found seem seemed feel felt
        leave left put send sent arrive arrived clear easy quick fast slow long short fair
        honest genuinely different simple correct time times way back away nobody anyone
        someone everyone early later again once
        """
    ),
}

# A small glossary of customer-service words: concept → (Dutch, English). It links the clusters
# of both languages and translates the phrases of a one-language candidate.
GLOSSARY: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "delivery": (("levering", "bezorging", "bezorgen", "leveren", "bezorger", "verzending"),
                 ("delivery", "deliver", "shipping", "courier", "delivered")),
    "package": (("pakket", "pakketje", "doos"), ("package", "parcel", "box")),
    "order": (("bestelling", "bestellen", "besteld"), ("order", "ordered")),
    "late": (("te laat", "laat", "vertraging", "vertraagd"), ("late", "delay", "delayed")),
    "waiting": (("wachttijd", "wachten", "gewacht", "wachtrij", "in de wacht"),
                ("waiting", "wait", "waiting time", "queue", "on hold", "hold")),
    "phone": (("telefoon", "bellen", "gebeld", "telefonisch", "terugbellen"),
              ("phone", "call", "called", "telephone", "call back")),
    "price": (("prijs", "tarief", "tarieven", "kosten", "prijzen"),
              ("price", "prices", "rate", "rates", "cost", "costs", "fee")),
    "expensive": (("duur", "te duur", "prijzig", "prijsverhoging"),
                  ("expensive", "too expensive", "pricey", "price increase")),
    "invoice": (("factuur", "nota", "rekening", "jaarnota", "jaarafrekening", "afrekening"),
                ("invoice", "bill", "statement", "annual statement", "billing")),
    "payment": (("betaling", "betalen", "incasso", "afschrijving", "afgeschreven"),
                ("payment", "pay", "direct debit", "debit", "charged")),
    "refund": (("terugbetaling", "restitutie", "terugstorting", "geld terug"),
               ("refund", "money back", "reimbursement")),
    "instalment": (("termijnbedrag", "maandbedrag", "voorschot"),
                   ("instalment", "monthly payment", "monthly amount", "advance payment")),
    "amount": (("bedrag",), ("amount",)),
    "staff": (("medewerker", "personeel", "collega", "medewerkster", "chatmedewerker"),
              ("employee", "staff", "colleague", "agent", "representative")),
    "friendly": (("vriendelijk", "behulpzaam", "hulpvaardig"), ("friendly", "helpful", "kind")),
    "rude": (("onvriendelijk", "onbeleefd", "brutaal", "onbeschoft"),
             ("rude", "unfriendly", "impolite")),
    "customer service": (("klantenservice", "helpdesk", "servicedesk"),
                         ("customer service", "helpdesk", "service desk", "support")),
    "answer": (("antwoord", "reactie", "reageren", "terugkoppeling"),
               ("answer", "reply", "response", "respond", "feedback")),
    "email": (("mail", "e-mail", "mailtje", "gemaild"), ("email", "e-mail", "mail")),
    "chat": (("chat",), ("chat",)),
    "app": (("app",), ("app",)),
    "website": (("website", "site", "portaal", "klantportaal", "webpagina"),
                ("website", "site", "portal", "customer portal", "web page")),
    "login": (("inloggen", "wachtwoord", "account"), ("log in", "login", "password", "account")),
    "error": (("fout", "foutmelding", "storing", "fouten"), ("error", "bug", "outage", "fault")),
    "crash": (("crashen", "crasht", "vastlopen", "loopt vast"), ("crash", "crashes", "freeze")),
    "contract": (("contract", "abonnement", "overeenkomst"),
                 ("contract", "subscription", "agreement")),
    "cancel": (("opzeggen", "annuleren", "opzegging", "geannuleerd"),
               ("cancel", "cancellation", "cancelled", "terminate")),
    "moving": (("verhuizen", "verhuizing", "verhuisd", "nieuwe adres"),
               ("move", "moving", "moved", "new address")),
    "switch": (("overstappen", "overstap"), ("switch", "switching")),
    "installation": (("installatie", "installeren", "geïnstalleerd", "aansluiten"),
                     ("installation", "install", "installed", "connect")),
    "technician": (("monteur", "installateur"), ("technician", "engineer", "fitter")),
    "meter": (("meter", "slimme meter", "meterstand", "meterstanden"),
              ("meter", "smart meter", "meter reading", "meter readings")),
    "solar": (("zonnepaneel", "zonnepanelen", "omvormer"),
              ("solar panel", "solar panels", "inverter", "solar")),
    "battery": (("thuisbatterij", "batterij", "accu"), ("home battery", "battery")),
    "charger": (("laadpaal", "laadpunt"), ("charger", "charging point", "ev charger")),
    "green": (("groen", "groene", "duurzaam", "duurzaamheid", "groene stroom"),
              ("green", "sustainable", "sustainability", "green energy")),
    "energy": (("stroom", "energie", "gas", "elektriciteit"),
               ("power", "energy", "gas", "electricity")),
    "appointment": (("afspraak", "afspraken"), ("appointment", "appointments")),
    "damaged": (("beschadigd", "kapot", "stuk"), ("damaged", "broken")),
    "quality": (("kwaliteit",), ("quality",)),
    "product": (("product", "producten"), ("product", "products")),
    "information": (("informatie", "uitleg", "duidelijkheid", "onduidelijk"),
                    ("information", "explanation", "unclear", "clarity")),
    "complaint": (("klacht", "klachten"), ("complaint", "complaints")),
    "account manager": (("accountmanager", "contactpersoon"),
                        ("account manager", "contact person")),
    "letter": (("brief",), ("letter",)),
    "store": (("winkel", "filiaal", "balie"), ("store", "shop", "branch", "desk")),
    "return": (("retour", "retourneren", "terugsturen"), ("return", "returns", "send back")),
    "stock": (("voorraad", "uitverkocht"), ("stock", "sold out", "out of stock")),
    "size": (("maat", "maten"), ("size", "sizes")),
    "food": (("eten", "maaltijd", "gerecht"), ("food", "meal", "dish")),
    "room": (("kamer",), ("room",)),
    "parking": (("parkeren", "parkeerplaats"), ("parking", "car park")),
    "speed": (("snel", "snelheid", "traag", "langzaam"), ("fast", "quick", "speed", "slow")),
    "opening hours": (("openingstijden", "bereikbaar", "bereikbaarheid"),
                      ("opening hours", "reachable", "availability")),
    "promise": (("beloofd", "belofte", "toezegging"), ("promised", "promise")),
    "mistake": (("vergissing", "fout gemaakt"), ("mistake",)),
}  # fmt: skip


@dataclass
class Cluster:
    """A candidate theme: its comments (indexes into the input, nearest to the centre first)."""

    members: list[int]
    phrases: dict[str, list[str]]  # language → key phrases, most telling first
    label: str
    examples: list[int]  # a few representative comments (indexes), closest to the centre
    languages: dict[str, int] = field(default_factory=dict)
    coverage: float = 0.0  # share of its comments that hold its label phrase
    concepts: dict[str, float] = field(default_factory=dict)
    translated: dict[str, list[str]] = field(default_factory=dict)
    # The phrases specific enough to be a theme's keywords (mostly found in this cluster).
    specific: dict[str, list[str]] = field(default_factory=dict)
    space: str = "tfidf"  # "embeddings" (sentence embeddings) or "tfidf" (lemma LSA per language)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def keywords(self) -> list[str]:
        """Keywords in both languages: the specific key phrases, then glossary translations."""
        found = [p for language in LANGUAGES for p in self.specific.get(language, [])[:5]]
        added = [p for language in LANGUAGES for p in self.translated.get(language, [])]
        return list(dict.fromkeys(found + added))


# ----------------------------------------------------------------------------- features


@dataclass
class _Doc:
    words: list[str]
    lemmas: list[str]


def _analyse(text: str, language: str) -> _Doc:
    words = tokens.tokens(tokens.clean(text))
    return _Doc(words, tokens.lemmas(words, language))


def _features(doc: _Doc, language: str) -> list[str]:
    """Content lemma unigrams and bigrams (a bigram may start with a modifier)."""
    stop, generic, modifiers = STOP[language], GENERIC[language], MODIFIERS[language]
    weak = WEAK[language]
    out: list[str] = []
    previous: str | None = None
    for word, lemma in zip(doc.words, doc.lemmas, strict=True):
        if not word[:1].isalpha() or len(word) < 2:
            previous = None  # punctuation and numbers break a phrase
            continue
        content = not (
            word in modifiers
            or word in stop
            or lemma in stop
            or word in generic
            or lemma in generic
            or len(lemma) < 2
        )
        if content:
            alone = word not in weak and lemma not in weak
            if alone:
                out.append(lemma)
            if previous is not None and (alone or previous not in weak):
                out.append(previous + " " + lemma)
            previous = lemma
        elif word in modifiers:
            previous = word
        else:
            previous = None
    return out


def _phrase_lemmas(phrase: str, language: str) -> str:
    return " ".join(tokens.lemmas(tokens.tokens(phrase), language))


def _glossary_index() -> dict[str, dict[str, str]]:
    """language → lemma phrase → concept."""
    index: dict[str, dict[str, str]] = {"nl": {}, "en": {}}
    for concept, (dutch, english) in GLOSSARY.items():
        for language, words in (("nl", dutch), ("en", english)):
            for word in words:
                index[language].setdefault(_phrase_lemmas(word, language), concept)
    return index


_GLOSSARY_INDEX: dict[str, dict[str, str]] | None = None


def glossary_index() -> dict[str, dict[str, str]]:
    global _GLOSSARY_INDEX
    if _GLOSSARY_INDEX is None:
        _GLOSSARY_INDEX = _glossary_index()
    return _GLOSSARY_INDEX


def known_lemmas(phrases: Iterable[str]) -> set[str]:
    """Taxonomy keywords as lemma phrases, in both languages and as written; the content words
    of a longer keyword count too ("new billing system" knows "system")."""
    known: set[str] = set()
    for phrase in phrases:
        words = tokens.tokens(phrase)
        if not words:
            continue
        known.add(" ".join(words))
        for language in LANGUAGES:
            lemmas = tokens.lemmas(words, language)
            known.add(" ".join(lemmas))
            if len(words) > 1:
                skip = STOP[language] | MODIFIERS[language] | GENERIC[language] | WEAK[language]
                known.update(lemma for lemma in lemmas if lemma not in skip and len(lemma) > 2)
    return known


def _is_known(lemma_phrase: str, known: set[str], language: str) -> bool:
    if lemma_phrase in known:
        return True
    parts = lemma_phrase.split(" ")
    content = [part for part in parts if part not in MODIFIERS[language]]
    return len(parts) > 1 and any(part in known for part in content)


# ----------------------------------------------------------------------------- clustering


def _choose_k(points: np.ndarray, min_size: int, max_clusters: int) -> int:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = points.shape[0]
    upper = max(2, min(max_clusters, n // max(1, min_size)))
    if upper <= 2:
        return 2
    grid = sorted({k for k in (2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 26, 30) if k <= upper})
    rng = np.random.default_rng(RANDOM_STATE)
    sample = points[rng.choice(n, size=min(n, 6000), replace=False)] if n > 6000 else points
    scored = rng.choice(sample.shape[0], size=min(sample.shape[0], 2000), replace=False)
    best_k, best_score = grid[0], -2.0
    for k in grid:
        if k >= sample.shape[0]:
            break
        with warnings.catch_warnings():  # duplicate comments: fewer distinct clusters than k
            warnings.simplefilter("ignore")
            model = KMeans(k, n_init=2, max_iter=60, random_state=RANDOM_STATE)
            labels = model.fit_predict(sample)
        if len(set(labels[scored].tolist())) < 2:
            continue
        score = float(silhouette_score(sample[scored], labels[scored]))
        # A small preference for finer themes: several precise candidates are merged later
        # when they share their label, one muddled theme cannot be split.
        score += 0.004 * math.log(k)
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


@dataclass
class _Space:
    language: str
    rows: list[int]  # indexes into the input
    docs: list[_Doc]
    binary: sparse.csr_matrix  # comments × terms, 0/1
    terms: list[str]
    points: np.ndarray  # normalised LSA coordinates
    df: np.ndarray = field(default_factory=lambda: np.zeros(0))  # comments per term
    concepts: sparse.csr_matrix | None = None  # comments × glossary concepts, 0/1
    concept_names: list[str] = field(default_factory=list)


def _space(
    language: str,
    rows: list[int],
    docs: list[_Doc],
    feats: list[list[str]],
    reduce: bool = True,
) -> _Space | None:
    """The language's terms; with ``reduce`` also the LSA points that k-means clusters (the
    embedding path only needs the terms, for the key phrases)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize

    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for features in feats:
        for feature in features:
            indices.append(vocabulary.setdefault(feature, len(vocabulary)))
        indptr.append(len(indices))
    n = len(rows)
    if not vocabulary or n < 4:
        return None
    counts = sparse.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.array(indices), np.array(indptr)),
        shape=(n, len(vocabulary)),
    )
    counts.sum_duplicates()
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    min_df = max(2, math.ceil(0.0005 * n))
    keep = np.flatnonzero((df >= min_df) & (df <= max(min_df, 0.7 * n)))
    if keep.size < 2:
        return None
    counts = counts[:, keep].tocsr()
    terms_all = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms_all[index] = term
    terms = [terms_all[int(i)] for i in keep]
    present = np.flatnonzero(counts.getnnz(axis=1) > 0)
    if present.size < 4:
        return None
    counts = counts[present]
    rows = [rows[int(i)] for i in present]
    docs = [docs[int(i)] for i in present]
    weights = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    dims = min(100, weights.shape[1] - 1, weights.shape[0] - 1)
    if not reduce:
        points = np.zeros((weights.shape[0], 0), dtype=np.float32)
    elif dims >= 2:
        svd = TruncatedSVD(dims, algorithm="randomized", n_iter=4, random_state=RANDOM_STATE)
        points = svd.fit_transform(weights).astype(np.float32)
    else:
        points = weights.toarray().astype(np.float32)
    if reduce:
        points = normalize(points)
    binary = counts.copy()
    binary.data[:] = 1.0
    binary = binary.tocsr()
    df = np.asarray(binary.sum(axis=0)).ravel()
    glossary = glossary_index()[language]
    names = sorted(set(glossary.values()))
    column = {name: j for j, name in enumerate(names)}
    pairs = [(i, column[glossary[term]]) for i, term in enumerate(terms) if term in glossary]
    mapping = sparse.csr_matrix(
        (
            np.ones(len(pairs), dtype=np.float32),
            ([i for i, _j in pairs], [j for _i, j in pairs]),
        ),
        shape=(len(terms), len(names)),
    )
    concepts = (binary @ mapping).tocsr()
    concepts.data[:] = 1.0
    return _Space(language, rows, docs, binary, terms, points, df, concepts, names)


def _cluster_space(space: _Space, min_size: int, max_clusters: int) -> list[np.ndarray]:
    """Member positions (into the space) per cluster, nearest to the centre first."""
    from threadpoolctl import threadpool_limits

    n = space.points.shape[0]
    if n < 2 * min_size:
        return []
    # Small inputs: threads cost more than they bring (and the workers share the machine).
    with threadpool_limits(limits=1 if n < 20_000 else None):
        return _kmeans(space.points, min_size, max_clusters)[0]


def _kmeans(
    points: np.ndarray, min_size: int, max_clusters: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """Member positions per cluster (nearest to the centre first) and the clusters' centres."""
    from sklearn.cluster import KMeans, MiniBatchKMeans

    n = points.shape[0]
    k = _choose_k(points, min_size, max_clusters)
    if n > 20_000:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            k, batch_size=4096, n_init=3, max_iter=100, random_state=RANDOM_STATE
        )
    else:
        model = KMeans(k, n_init=3, max_iter=100, random_state=RANDOM_STATE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = model.fit_predict(points)
    centres = model.cluster_centers_
    similarity = np.einsum("ij,ij->i", points, centres[labels])
    groups = []
    kept = []
    for c in range(k):
        positions = np.flatnonzero(labels == c)
        if positions.size:
            groups.append(positions[np.argsort(-similarity[positions], kind="stable")])
            kept.append(c)
    return groups, centres[kept]


def _phrase_scores(space: _Space, positions: np.ndarray) -> list[tuple[float, float, int]]:
    """(score, coverage, term) for the terms over-represented in these comments."""
    n = space.binary.shape[0]
    size = positions.size
    inside = np.asarray(space.binary[positions].sum(axis=0)).ravel()
    outside = space.df - inside
    p_in = inside / size
    p_out = (outside + 1.0) / (n - size + 2.0)
    lift = np.log((p_in + 1e-9) / p_out)
    bigram = np.array([" " in term for term in space.terms])
    score = p_in * np.maximum(lift, 0.0) * np.where(bigram, 1.35, 1.0)
    order = np.argsort(-score, kind="stable")[:40]
    return [(float(score[i]), float(p_in[i]), int(i)) for i in order if score[i] > 0]


def _pick_phrases(space: _Space, scored: list[tuple[float, float, int]]) -> list[tuple[str, float]]:
    """Telling phrases: a word is left out when a chosen bigram holds it and covers most of it."""
    chosen: list[tuple[str, float]] = []
    for _score, coverage, index in scored:
        term = space.terms[index]
        parts = term.split(" ")
        if len(parts) == 1:
            if any(
                term in other.split(" ") and coverage < 1.5 * other_coverage
                for other, other_coverage in chosen
            ):
                continue
        else:
            # A bigram whose words are both chosen already with far more coverage adds little.
            if all(
                any(part == other and coverage < 0.5 * cov for other, cov in chosen)
                for part in parts
                if part not in MODIFIERS[space.language]
            ):
                continue
            # A chosen word that this bigram covers (almost) entirely gives way to the bigram.
            chosen = [
                (other, cov)
                for other, cov in chosen
                if not (other in parts and cov < 1.5 * coverage)
            ]
        chosen.append((term, coverage))
        if len(chosen) >= PHRASES:
            break
    return chosen


def _surface_forms(
    space: _Space, positions: np.ndarray, lemma_phrases: list[str]
) -> dict[str, str]:
    """The words customers used most for each lemma phrase (read until each is seen a few
    times, in at most 3,000 comments)."""
    wanted = set(lemma_phrases)
    seen: dict[str, Counter[str]] = {phrase: Counter() for phrase in wanted}
    for n, position in enumerate(positions[:3000].tolist()):
        doc = space.docs[position]
        for i, lemma in enumerate(doc.lemmas):
            if lemma in wanted:
                seen[lemma][doc.words[i]] += 1
            if i + 1 < len(doc.lemmas):
                pair = lemma + " " + doc.lemmas[i + 1]
                if pair in wanted:
                    seen[pair][doc.words[i] + " " + doc.words[i + 1]] += 1
        if n % 100 == 99 and all(sum(c.values()) >= 5 for c in seen.values()):
            break
    return {
        phrase: (counts.most_common(1)[0][0] if counts else phrase.replace("_", " "))
        for phrase, counts in seen.items()
    }


CORE = 0.5  # a term or concept in at least half of a cluster's comments is part of its core


@dataclass
class _Found:
    language: str
    positions: np.ndarray
    lemma_phrases: list[tuple[str, float]]
    concepts: dict[str, float]
    core: dict[str, float] = field(default_factory=dict)  # term or @concept → coverage
    top: str = ""
    precise: set[str] = field(default_factory=set)  # phrases mostly found in this cluster


PRECISE = 0.5  # a keyword: at least half of the comments with the phrase are in the cluster


def _describe(space: _Space, positions: np.ndarray) -> _Found:
    phrases = _pick_phrases(space, _phrase_scores(space, positions))
    size = max(1, positions.size)
    inside = np.asarray(space.binary[positions].sum(axis=0)).ravel()
    where = {term: j for j, term in enumerate(space.terms)}
    precise = {
        term
        for term, _coverage in phrases
        if inside[where[term]] >= PRECISE * space.df[where[term]]
    }
    concepts: dict[str, float] = {}
    core: dict[str, float] = {}
    if space.concepts is not None and space.concept_names:
        share = np.asarray(space.concepts[positions].sum(axis=0)).ravel() / size
        for j in np.flatnonzero(share >= 0.05).tolist():
            concepts[space.concept_names[j]] = float(share[j])
            if share[j] >= CORE:
                core["@" + space.concept_names[j]] = float(share[j])
    covered = np.asarray(space.binary[positions].sum(axis=0)).ravel() / size
    for j in np.flatnonzero(covered >= CORE).tolist():
        core[space.terms[j]] = float(covered[j])
    # The most shared item of the core; a concept or a phrase before a single word.
    top = max(
        core,
        key=lambda item: (round(core[item], 2), item.startswith("@"), " " in item, item),
        default="",
    )
    return _Found(space.language, positions, phrases, concepts, core, top, precise)


def _label(phrases: list[str], coverage: list[float]) -> str:
    """The best phrase; a single word gets the next word along when that is nearly as common."""
    if not phrases:
        return ""
    first = phrases[0]
    if (
        " " not in first
        and len(phrases) > 1
        and " " not in phrases[1]
        and coverage[1] >= 0.6 * coverage[0]
    ):
        return f"{first}, {phrases[1]}"
    return first


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    shared = set(a) & set(b)
    if not shared:
        return 0.0
    dot = sum(a[k] * b[k] for k in shared)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def discover(
    items: Sequence[tuple[str, str | None]],
    *,
    covered: Sequence[bool] | None = None,
    known: Iterable[str] = (),
    min_size: int | None = None,
    max_clusters: int = MAX_CLUSTERS,
    report: Reporter | None = None,
    vectors: np.ndarray | None = None,
) -> list[Cluster]:
    """Candidate themes in ``items`` (text, language "nl"/"en"; others are left out).

    ``covered`` marks comments that existing themes already hold (left out); ``known`` are the
    taxonomy's keywords: a cluster whose label phrases are among them is not proposed again.
    ``min_size`` defaults to 1% of the comments, at least 3. ``vectors`` (one row per item,
    unit length; a row of zeros: none) clusters in the embedding space, all languages together;
    without them each language is clustered on its own lemma TF-IDF. Deterministic. Largest
    first."""

    def tell(percent: int, message: str) -> None:
        if report:
            report(percent, message)

    by_language: dict[str, tuple[list[int], list[_Doc], list[list[str]]]] = {
        language: ([], [], []) for language in LANGUAGES
    }
    present = None if vectors is None else np.abs(vectors).sum(axis=1) > 0
    for i, (text, language) in enumerate(items):
        if language not in by_language or (covered is not None and covered[i]) or not text:
            continue
        if present is not None and not present[i]:
            continue
        doc = _analyse(text, language)
        feats = _features(doc, language)
        if feats:
            rows, docs, all_feats = by_language[language]
            rows.append(i)
            docs.append(doc)
            all_feats.append(feats)
        if i and i % 20_000 == 0:
            tell(int(40 * i / len(items)), f"{i} comments read")
    usable = sum(len(rows) for rows, _docs, _feats in by_language.values())
    if min_size is None:
        min_size = max(3, math.ceil(0.01 * usable))
    known_set = known_lemmas(known)
    if vectors is not None:
        clusters = _discover_embedded(by_language, vectors, known_set, min_size, max_clusters, tell)
        clusters.sort(key=lambda c: (-c.size, c.label))
        tell(100, f"{len(clusters)} candidate themes (sentence embeddings)")
        return clusters
    found: list[_Found] = []
    spaces: dict[str, _Space] = {}
    for step, (language, (rows, docs, lists)) in enumerate(by_language.items()):
        space = _space(language, rows, docs, lists)
        del lists[:]
        if space is None:
            continue
        spaces[language] = space
        described = [
            _describe(space, positions)
            for positions in _cluster_space(space, min_size, max_clusters)
        ]
        found.extend(_merge_core(space, described))
        tell(45 + 25 * step, f"{language}: clusters found")
    candidates = [f for f in found if f.positions.size >= min_size and f.lemma_phrases]
    candidates = [f for f in candidates if f.lemma_phrases[0][1] >= MIN_COVERAGE]
    candidates = [
        f
        for f in candidates
        if not all(_is_known(p, known_set, f.language) for p, _c in f.lemma_phrases[:1])
    ]
    clusters = _pair_languages(spaces, candidates)
    clusters.sort(key=lambda c: (-c.size, c.label))
    tell(100, f"{len(clusters)} candidate themes")
    return clusters


def _merge_core(space: _Space, described: list[_Found]) -> list[_Found]:
    """k-means splits a theme along the ways customers phrase it; clusters are one theme when
    the most shared term or concept of one is in the core of the other (either way round)."""
    parent = list(range(len(described)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, one in enumerate(described):
        for j in range(i + 1, len(described)):
            other = described[j]
            if (one.top and one.top in other.core) or (other.top and other.top in one.core):
                parent[root(j)] = root(i)
    groups: dict[int, list[_Found]] = {}
    for i, item in enumerate(described):
        groups.setdefault(root(i), []).append(item)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        # The largest part's comments first: "nearest the centre" stays meaningful for examples.
        group.sort(key=lambda f: -f.positions.size)
        merged.append(_describe(space, np.concatenate([f.positions for f in group])))
    return merged


def _pair_languages(spaces: dict[str, _Space], found: list[_Found]) -> list[Cluster]:
    dutch = [f for f in found if f.language == "nl"]
    english = [f for f in found if f.language == "en"]

    def best(item: _Found, others: list[_Found]) -> tuple[int, float]:
        scores = [_cosine(item.concepts, other.concepts) for other in others]
        if not scores:
            return -1, 0.0
        j = int(np.argmax(scores))
        return j, scores[j]

    pairs: dict[int, int] = {}
    for i, item in enumerate(dutch):
        if not item.concepts or max(item.concepts.values()) < 0.3:
            continue
        j, score = best(item, english)
        if j < 0 or score < 0.55 or max(english[j].concepts.values()) < 0.3:
            continue
        back, _score = best(english[j], dutch)
        if back == i:
            pairs[i] = j
    clusters = []
    used_en = set(pairs.values())
    for i, item in enumerate(dutch):
        parts = [item] + ([english[pairs[i]]] if i in pairs else [])
        clusters.append(_cluster(spaces, parts))
    for j, item in enumerate(english):
        if j not in used_en:
            clusters.append(_cluster(spaces, [item]))
    return clusters


def _cluster(
    spaces: dict[str, _Space], parts: list[_Found], everyone: list[int] | None = None
) -> Cluster:
    """One candidate from its parts (one per language); ``everyone``: its members when they
    are more than the parts hold (the embedding path), nearest to the centre first."""
    members: list[int] = []
    phrases: dict[str, list[str]] = {}
    specific: dict[str, list[str]] = {}
    labels: list[str] = []
    languages: dict[str, int] = {}
    examples: list[int] = []
    concepts: dict[str, float] = {}
    coverage = 0.0
    for part in sorted(parts, key=lambda f: -f.positions.size):
        space = spaces[part.language]
        rows = [space.rows[p] for p in part.positions.tolist()]
        members.extend(rows)
        lemma_phrases = [p for p, _c in part.lemma_phrases]
        surface = _surface_forms(space, part.positions, lemma_phrases)
        phrases[part.language] = list(dict.fromkeys(surface[p] for p in lemma_phrases))
        specific[part.language] = (
            list(dict.fromkeys(surface[p] for p in lemma_phrases if p in part.precise))
            or phrases[part.language][:1]
        )
        labels.append(
            _label([surface[p] for p in lemma_phrases], [c for _p, c in part.lemma_phrases])
        )
        languages[part.language] = len(rows)
        examples.extend(_examples(space, part.positions, EXAMPLES))
        coverage = max(coverage, part.lemma_phrases[0][1])
        for concept, value in part.concepts.items():
            concepts[concept] = max(concepts.get(concept, 0.0), value)
    label = " / ".join(dict.fromkeys(label for label in labels if label))
    label = label[:1].upper() + label[1:]
    cluster = Cluster(
        members=members if everyone is None else everyone,
        phrases=phrases,
        label=label,
        examples=examples[: EXAMPLES + (1 if len(parts) > 1 else 0)],
        languages=languages,
        coverage=round(coverage, 3),
        concepts=concepts,
        specific=specific,
    )
    cluster.translated = _translations(cluster)
    return cluster


def _examples(space: _Space, positions: np.ndarray, count: int) -> list[int]:
    """Comments near the centre, each unlike the ones chosen before (not the same sentence
    with another name in it)."""
    chosen: list[int] = []
    words: list[set[str]] = []
    for position in positions[:300].tolist():
        these = set(space.docs[position].words)
        if not these or any(len(these & other) / len(these | other) > 0.6 for other in words):
            continue
        words.append(these)
        chosen.append(space.rows[position])
        if len(chosen) >= count:
            break
    return chosen


def _translations(cluster: Cluster) -> dict[str, list[str]]:
    """For a language without phrases: the glossary's words for the cluster's main concepts."""
    out: dict[str, list[str]] = {}
    index = glossary_index()
    for language in LANGUAGES:
        if cluster.phrases.get(language):
            continue
        other = "en" if language == "nl" else "nl"
        words: list[str] = []
        for phrase in cluster.specific.get(other, [])[:5]:
            concept = index[other].get(_phrase_lemmas(phrase, other))
            if concept:
                dutch, english = GLOSSARY[concept]
                words.append((dutch if language == "nl" else english)[0])
        if words:
            out[language] = list(dict.fromkeys(words))
    return out


# ----------------------------------------------------------------------------- embedding space

LINK = 0.2  # clusters whose centres have at least this cosine (average linkage) are joined
PART = 0.1  # a language speaks in a cluster's label when it holds at least this share of it


def _embedding_points(vectors: np.ndarray, languages: list[str]) -> np.ndarray:
    """Unit rows with each language's mean removed: what the languages share is the topic."""
    from outsidein.text.engine.embeddings import unit

    points = np.asarray(vectors, dtype=np.float32).copy()
    codes = np.array(languages)
    for language in sorted(set(languages)):
        mask = codes == language
        points[mask] -= points[mask].mean(axis=0)
    return np.asarray(unit(points), dtype=np.float32)


def _link(groups: list[np.ndarray], centres: np.ndarray) -> list[np.ndarray]:
    """Join clusters whose centres point the same way (average linkage on the cosine);
    the members of a joined cluster stay in the order of their parts, largest part first."""
    if len(groups) < 2:
        return groups
    from sklearn.cluster import AgglomerativeClustering

    from outsidein.text.engine.embeddings import unit

    joined = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - LINK
    ).fit_predict(unit(np.asarray(centres, dtype=np.float64)))
    out: dict[int, list[np.ndarray]] = {}
    for group, label in zip(groups, joined.tolist(), strict=True):
        out.setdefault(label, []).append(group)
    return [
        np.concatenate(sorted(parts, key=lambda g: -g.size))
        for _label, parts in sorted(out.items())
    ]


def _parts(
    spaces: dict[str, _Space], where: dict[str, dict[int, int]], rows: list[int]
) -> dict[str, _Found]:
    """The cluster described per language: key phrases from that language's members."""
    parts: dict[str, _Found] = {}
    for language, space in spaces.items():
        positions = [where[language][row] for row in rows if row in where[language]]
        if len(positions) >= max(3, PART * len(rows)):
            parts[language] = _describe(space, np.array(positions, dtype=np.int64))
    return parts


def _discover_embedded(
    by_language: dict[str, tuple[list[int], list[_Doc], list[list[str]]]],
    vectors: np.ndarray,
    known: set[str],
    min_size: int,
    max_clusters: int,
    tell: Reporter,
) -> list[Cluster]:
    from threadpoolctl import threadpool_limits

    spaces: dict[str, _Space] = {}
    rows: list[int] = []
    languages: list[str] = []
    for language, (these, docs, lists) in by_language.items():
        rows.extend(these)
        languages.extend([language] * len(these))
        space = _space(language, list(these), docs, lists, reduce=False)
        del lists[:]
        if space is not None:
            spaces[language] = space
    if len(rows) < 2 * min_size or len(rows) < 4:
        return []
    order = np.argsort(np.array(rows), kind="stable")  # input order: the same for any grouping
    rows = [rows[i] for i in order.tolist()]
    languages = [languages[i] for i in order.tolist()]
    points = _embedding_points(vectors[np.array(rows)], languages)
    tell(50, "embedding space ready")
    with threadpool_limits(limits=1 if len(rows) < 20_000 else None):
        groups, centres = _kmeans(points, min_size, max_clusters)
    groups = _link(groups, centres)
    tell(75, f"{len(groups)} clusters in the embedding space")
    where = {language: {row: p for p, row in enumerate(s.rows)} for language, s in spaces.items()}
    members = [[rows[p] for p in group.tolist()] for group in groups]
    described = [_parts(spaces, where, group) for group in members]
    members, described = _merge_embedded(spaces, where, members, described)
    clusters = []
    for group, parts in zip(members, described, strict=True):
        if len(group) < min_size:
            continue
        telling = [
            part
            for part in parts.values()
            if part.lemma_phrases and part.lemma_phrases[0][1] >= MIN_COVERAGE
        ]
        if not telling or any(
            _is_known(part.lemma_phrases[0][0], known, part.language) for part in telling
        ):
            continue
        cluster = _cluster(spaces, telling, group)
        cluster.space = "embeddings"
        clusters.append(cluster)
    return clusters


def _merge_embedded(
    spaces: dict[str, _Space],
    where: dict[str, dict[int, int]],
    members: list[list[int]],
    described: list[dict[str, _Found]],
) -> tuple[list[list[int]], list[dict[str, _Found]]]:
    """Clusters that share their core in a language are one theme (as ``_merge_core``)."""
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, one in enumerate(described):
        for j in range(i + 1, len(described)):
            for language in set(one) & set(described[j]):
                a, b = one[language], described[j][language]
                if (a.top and a.top in b.core) or (b.top and b.top in a.core):
                    parent[root(j)] = root(i)
                    break
    groups: dict[int, list[int]] = {}
    for i in range(len(members)):
        groups.setdefault(root(i), []).append(i)
    out_members: list[list[int]] = []
    out_described: list[dict[str, _Found]] = []
    for indexes in groups.values():
        if len(indexes) == 1:
            out_members.append(members[indexes[0]])
            out_described.append(described[indexes[0]])
            continue
        indexes.sort(key=lambda i: -len(members[i]))
        joined = [row for i in indexes for row in members[i]]
        out_members.append(joined)
        out_described.append(_parts(spaces, where, joined))
    return out_members, out_described
