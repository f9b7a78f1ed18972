"""Writes our own labelled customer-service comments (Dutch and English) for ``make eval-text``.

Comments are composed from varied parts per theme and polarity: subjects × predicates, with
openers, closers, negations ("not friendly"), intensifiers and turns ("…, but …": the part after
the turn sets the label), plus neutral questions and remarks. Deterministic (seeded); run it
again only to regenerate ``service_comments_nl.csv`` and ``service_comments_en.csv``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
PER_LANGUAGE = 420

# theme → (subjects, positive predicates, negative predicates)
BANK = {
    "en": {
        "delivery": (
            ["the delivery", "my parcel", "the package", "the courier", "shipping", "the order"],
            [
                "arrived a day early",
                "came right on time",
                "was delivered quickly",
                "was handled with care",
                "arrived in perfect condition",
                "was super fast",
            ],
            [
                "arrived three days late",
                "never showed up",
                "was left in the rain",
                "got lost twice",
                "came damaged",
                "took forever to arrive",
            ],
        ),
        "price": (
            ["the price", "the subscription", "the monthly fee", "the cost", "the rates"],
            [
                "is very fair",
                "is good value for money",
                "was cheaper than expected",
                "is reasonable",
                "feels worth every cent",
            ],
            [
                "is way too high",
                "went up again without warning",
                "is a rip-off",
                "is more expensive than the competition",
                "is not worth it",
            ],
        ),
        "staff": (
            [
                "the employee",
                "your colleague on the phone",
                "the staff",
                "the agent",
                "the man at the counter",
                "the mechanic",
            ],
            [
                "was friendly and helpful",
                "really listened to me",
                "was very patient",
                "explained everything clearly",
                "went the extra mile",
                "was polite and kind",
            ],
            [
                "was rude",
                "did not listen at all",
                "was unfriendly and impatient",
                "gave me wrong information",
                "hung up on me",
                "was not helpful",
            ],
        ),
        "waiting": (
            [
                "the waiting time",
                "getting through on the phone",
                "the queue",
                "your response time",
                "the wait for an answer",
            ],
            [
                "was short",
                "took only two minutes",
                "was much quicker than last year",
                "was no problem at all",
            ],
            [
                "was over an hour",
                "is ridiculous",
                "took weeks",
                "was far too long",
                "is still terrible after three emails",
            ],
        ),
        "quality": (
            ["the product", "the quality", "the new device", "the material", "the repair"],
            [
                "works perfectly",
                "is excellent",
                "feels solid and well made",
                "is better than I hoped",
                "has been reliable for months",
            ],
            [
                "broke after a week",
                "is poor",
                "stopped working",
                "feels cheap",
                "is defective",
                "was done badly",
            ],
        ),
        "website": (
            ["the website", "the app", "the online portal", "logging in", "the checkout"],
            ["is easy to use", "works smoothly", "is clear and fast", "is nicely designed"],
            [
                "keeps crashing",
                "is confusing",
                "did not work",
                "is slow and buggy",
                "gives an error every time",
            ],
        ),
        "billing": (
            ["the invoice", "my bill", "the refund", "the payment", "the direct debit"],
            ["was correct", "was processed quickly", "was clear", "arrived promptly"],
            [
                "was wrong again",
                "was charged twice",
                "still has not arrived",
                "contained costs I never agreed to",
                "was incorrect",
            ],
        ),
    },
    "nl": {
        "delivery": (
            [
                "de bezorging",
                "mijn pakket",
                "de zending",
                "de bezorger",
                "de levering",
                "de bestelling",
            ],
            [
                "kwam een dag eerder",
                "was precies op tijd",
                "werd snel bezorgd",
                "kwam keurig aan",
                "was in perfecte staat",
                "ging supersnel",
            ],
            [
                "kwam drie dagen te laat",
                "is nooit aangekomen",
                "werd in de regen achtergelaten",
                "is twee keer kwijtgeraakt",
                "kwam beschadigd aan",
                "duurde eindeloos",
            ],
        ),
        "price": (
            ["de prijs", "het abonnement", "de maandelijkse kosten", "het tarief", "de prijzen"],
            [
                "is heel eerlijk",
                "is zijn geld waard",
                "viel lager uit dan verwacht",
                "is redelijk",
                "is prima voor wat je krijgt",
            ],
            [
                "is veel te hoog",
                "is weer verhoogd zonder bericht",
                "is belachelijk",
                "is duurder dan bij de concurrent",
                "is het niet waard",
            ],
        ),
        "staff": (
            [
                "de medewerker",
                "uw collega aan de telefoon",
                "het personeel",
                "de medewerkster",
                "de man aan de balie",
                "de monteur",
            ],
            [
                "was vriendelijk en behulpzaam",
                "luisterde echt naar me",
                "was heel geduldig",
                "legde alles duidelijk uit",
                "deed echt zijn best",
                "was beleefd en aardig",
            ],
            [
                "was onbeleefd",
                "luisterde helemaal niet",
                "was onvriendelijk en ongeduldig",
                "gaf me verkeerde informatie",
                "hing gewoon op",
                "was niet behulpzaam",
            ],
        ),
        "waiting": (
            [
                "de wachttijd",
                "het bellen naar de klantenservice",
                "de wachtrij",
                "uw reactietijd",
                "het wachten op antwoord",
            ],
            [
                "was kort",
                "duurde maar twee minuten",
                "was veel sneller dan vorig jaar",
                "was geen enkel probleem",
            ],
            [
                "was meer dan een uur",
                "is belachelijk lang",
                "duurde weken",
                "was veel te lang",
                "is na drie mails nog steeds slecht",
            ],
        ),
        "quality": (
            ["het product", "de kwaliteit", "het nieuwe apparaat", "het materiaal", "de reparatie"],
            [
                "werkt perfect",
                "is uitstekend",
                "voelt stevig en degelijk",
                "is beter dan ik hoopte",
                "is al maanden betrouwbaar",
            ],
            [
                "ging na een week kapot",
                "is slecht",
                "doet het niet meer",
                "voelt goedkoop",
                "is defect",
                "is slordig uitgevoerd",
            ],
        ),
        "website": (
            ["de website", "de app", "het online portaal", "het inloggen", "het afrekenen"],
            [
                "is makkelijk te gebruiken",
                "werkt soepel",
                "is duidelijk en snel",
                "ziet er mooi uit",
            ],
            [
                "crasht steeds",
                "is verwarrend",
                "werkte niet",
                "is traag en vol fouten",
                "geeft elke keer een foutmelding",
            ],
        ),
        "billing": (
            [
                "de factuur",
                "mijn rekening",
                "de terugbetaling",
                "de betaling",
                "de automatische incasso",
            ],
            ["klopte", "werd snel verwerkt", "was duidelijk", "kwam netjes op tijd"],
            [
                "klopte weer niet",
                "is twee keer afgeschreven",
                "is nog steeds niet binnen",
                "bevatte kosten waar ik nooit mee akkoord ben gegaan",
                "was onjuist",
            ],
        ),
    },
}

OPENERS = {
    "en": [
        "",
        "",
        "Honestly, ",
        "Well, ",
        "To be fair, ",
        "As a customer for years: ",
        "Just wanted to say that ",
    ],
    "nl": [
        "",
        "",
        "Eerlijk gezegd ",
        "Nou, ",
        "Ik moet zeggen dat ",
        "Als klant van jaren: ",
        "Even laten weten: ",
    ],
}
CLOSERS = {
    "positive": {
        "en": [
            "",
            "",
            " Thanks!",
            " Keep it up.",
            " I will certainly come back.",
            " Highly recommended.",
        ],
        "nl": ["", "", " Bedankt!", " Ga zo door.", " Ik kom zeker terug.", " Een aanrader."],
    },
    "negative": {
        "en": [
            "",
            "",
            " Very disappointing.",
            " Please do something about it.",
            " I am thinking of leaving.",
            " Not acceptable.",
        ],
        "nl": [
            "",
            "",
            " Erg teleurstellend.",
            " Doe er alsjeblieft iets aan.",
            " Ik overweeg over te stappen.",
            " Niet acceptabel.",
        ],
    },
}
TURN = {"en": ["but", "however", "although"], "nl": ["maar", "alleen", "echter"]}
NEUTRAL = {
    "en": [
        "I have a question about {s}.",
        "Can you tell me when {s} will be updated?",
        "I changed my address last week, does that affect {s}?",
        "Where can I find {s}?",
        "No further comments about {s}.",
        "I called about {s} yesterday.",
        "Could someone send me information about {s}?",
        "My neighbour asked about {s}.",
    ],
    "nl": [
        "Ik heb een vraag over {s}.",
        "Kunt u me vertellen wanneer {s} wordt aangepast?",
        "Ik ben vorige week verhuisd, verandert dat iets aan {s}?",
        "Waar vind ik {s}?",
        "Verder geen opmerkingen over {s}.",
        "Ik heb gisteren gebeld over {s}.",
        "Kan iemand mij informatie sturen over {s}?",
        "Mijn buurman vroeg naar {s}.",
    ],
}


def clause(rng: random.Random, language: str, theme: str, polarity: str) -> str:
    subjects, good, bad = BANK[language][theme]
    return f"{rng.choice(subjects)} {rng.choice(good if polarity == 'positive' else bad)}"


def comment(rng: random.Random, language: str) -> tuple[str, str, list[str]]:
    themes = list(BANK[language])
    roll = rng.random()
    if roll < 0.2:
        theme = rng.choice(themes)
        subject = rng.choice(BANK[language][theme][0])
        return rng.choice(NEUTRAL[language]).format(s=subject), "neutral", [theme]
    first = rng.choice(themes)
    polarity = rng.choice(["positive", "negative"])
    text = rng.choice(OPENERS[language]) + clause(rng, language, first, polarity)
    used = [first]
    label = polarity
    if roll < 0.55:  # a second theme with a turn: the part after the turn sets the label
        second = rng.choice([t for t in themes if t != first])
        other = "negative" if polarity == "positive" else "positive"
        text += f", {rng.choice(TURN[language])} {clause(rng, language, second, other)}"
        used.append(second)
        label = other
    elif roll < 0.75:  # a second theme, same feeling
        second = rng.choice([t for t in themes if t != first])
        text += (" and " if language == "en" else " en ") + clause(rng, language, second, polarity)
        used.append(second)
    text = text[0].upper() + text[1:] + "." + rng.choice(CLOSERS[label][language])
    return text, label, sorted(used)


def main() -> None:
    for language in ("nl", "en"):
        rng = random.Random(f"outsidein-{language}")
        rows = []
        seen: set[str] = set()
        while len(rows) < PER_LANGUAGE:
            text, label, themes = comment(rng, language)
            if text in seen:
                continue
            seen.add(text)
            rows.append(
                {
                    "review_id": f"{language}{len(rows):04d}",
                    "text": text,
                    "sentiment": label,
                    "themes": "|".join(themes),
                }
            )
        with open(HERE / f"service_comments_{language}.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["review_id", "text", "sentiment", "themes"])
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
