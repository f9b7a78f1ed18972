"""Planted themes in Dutch and English for the discovery tests (seeded, varied)."""

from __future__ import annotations

import random

PLANTED = {
    "late": {
        "nl": [
            "Mijn pakket kwam {n} dagen te laat.",
            "De bezorging was weer te laat, {mood}",
            "Bestelling kwam te laat aan en niemand liet iets weten.",
            "{mood} Het pakket werd pas na {n} dagen bezorgd, veel te laat.",
            "Te laat geleverd, de bezorger kwam pas om {h} uur.",
            "De levering was {n} dagen te laat.",
        ],
        "en": [
            "My parcel arrived {n} days late.",
            "Late delivery again, {mood_en}",
            "The delivery was late and nobody told me.",
            "{mood_en} The package was delivered {n} days late.",
            "Late delivery, the courier only came at {h} o'clock.",
            "My order was delivered late, {n} days after the promised date.",
        ],
    },
    "waiting": {
        "nl": [
            "De wachttijd aan de telefoon was {n} minuten.",
            "{mood} Ik moest {n} minuten wachten voordat ik iemand sprak, wat een wachttijd.",
            "Lange wachttijd bij de klantenservice.",
            "Na {n} minuten in de wacht werd de verbinding verbroken, die wachttijd is te lang.",
            "De wachttijd aan de telefoon is echt te lang.",
        ],
        "en": [
            "The waiting time on the phone was {n} minutes.",
            "{mood_en} I was on hold for {n} minutes, the waiting time is too long.",
            "Long waiting time when you call customer service.",
            "After {n} minutes on hold the call dropped, the waiting time is ridiculous.",
            "Waiting time on the phone is far too long.",
        ],
    },
    "invoice": {
        "nl": [
            "Mijn factuur klopte niet, er stond {n} euro te veel op.",
            "{mood} De factuur was onjuist en de correctie duurde weken.",
            "Factuur klopt weer niet, dubbel afgeschreven.",
            "Er staat een verkeerd bedrag op de factuur.",
            "Waarom is mijn factuur {n} euro hoger dan vorige maand?",
        ],
        "en": [
            "My invoice was wrong, I was charged {n} euros too much.",
            "{mood_en} The invoice was incorrect and the correction took weeks.",
            "Wrong amount on the invoice again, charged twice.",
            "There is a wrong amount on my invoice.",
            "Why is my invoice {n} euros higher than last month?",
        ],
    },
}
MOODS = {"nl": ["Jammer.", "Slecht.", "Heel vervelend.", "Balen.", ""],
         "en": ["Annoying.", "Bad.", "Very disappointing.", "Sadly.", ""]}  # fmt: skip
NOISE = {
    "nl": ["Prima!", "Goed zo.", "Top", "Tevreden.", "Niets aan toe te voegen."],
    "en": ["Great!", "Good.", "All fine.", "Happy.", "Nothing to add."],
}


def planted(per_theme: int = 40, seed: int = 7) -> tuple[list[tuple[str, str]], list[str]]:
    """(text, language) items and the planted theme of each ("" for noise)."""
    rng = random.Random(seed)
    items: list[tuple[str, str]] = []
    truth: list[str] = []
    for theme, by_language in PLANTED.items():
        for language, templates in by_language.items():
            for _i in range(per_theme):
                text = rng.choice(templates).format(
                    n=rng.randint(2, 45),
                    h=rng.randint(17, 22),
                    mood=rng.choice(MOODS["nl"]),
                    mood_en=rng.choice(MOODS["en"]),
                )
                items.append((text.strip(), language))
                truth.append(theme)
    for language, texts in NOISE.items():
        for _i in range(per_theme // 4):
            items.append((rng.choice(texts), language))
            truth.append("")
    order = list(range(len(items)))
    rng.shuffle(order)
    return [items[i] for i in order], [truth[i] for i in order]
