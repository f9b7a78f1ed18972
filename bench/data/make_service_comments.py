"""Writes our own labelled customer-service comments (Dutch and English) for ``make eval-text``.

Comments are composed from varied parts per theme and polarity: subjects × predicates, with
openers, closers, negations ("not friendly"), intensifiers and turns ("…, but …": the part after
the turn sets the label), plus neutral questions and remarks. Deterministic (seeded); run it
again only to regenerate ``service_comments_nl.csv`` and ``service_comments_en.csv``.

To keep the set from being too easy (the templates alone score ~0.95+), some comments are
roughed up the way people type: negated praise ("was not friendly"), lower case without a
final full stop, a typo (a letter dropped, doubled or swapped), and a share of hand-written
comments that follow no template (implicit themes, colloquial wording, no theme at all).
"although" keeps the first clause's feeling ("A, although B": A counts); the other turns
give the second clause's.
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
TURN = {"en": ["but", "however", "although"], "nl": ["maar", "alleen", "echter", "hoewel"]}
CONCESSIVE = {"although", "hoewel"}  # "A, although B": A sets the feeling
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


NEGATABLE = {"en": ("was ", "is ", "were "), "nl": ("was ", "is ", "waren ")}
NEGATION = {"en": "not", "nl": "niet"}
ALREADY_NEGATIVE = {"no", "not", "never", "geen", "niet", "nooit", "nobody", "niemand"}

# (text, sentiment, themes): written by hand, no template.
HANDWRITTEN = {
    "en": [
        ("Sat on hold for 40 min, then the line just went dead", "negative", "waiting"),
        ("ok", "neutral", ""),
        ("nothing to add really", "neutral", ""),
        ("Girl on the phone sorted it in 2 minutes, legend", "positive", "staff|waiting"),
        ("app keeps logging me out every single time, so annoying", "negative", "website"),
        (
            "Charged twice this month?? still waiting for the money back",
            "negative",
            "billing|waiting",
        ),
        (
            "Box was crushed but everything inside was fine, so no complaints",
            "positive",
            "delivery|quality",
        ),
        ("bit pricey for what you get tbh", "negative", "price"),
        ("Does the new plan include international calls?", "neutral", "price"),
        ("Fixed my problem first time, no fuss. Cheers", "positive", "staff"),
        ("The jacket fell apart after two washes", "negative", "quality"),
        ("Parcel turned up a day early, nice surprise", "positive", "delivery"),
        ("I was told three different things by three different people", "negative", "staff"),
        ("Website is easy enough but the checkout crashed on my phone", "negative", "website"),
        ("Not cheap, but honestly worth every penny", "positive", "price|quality"),
        ("Moved house last month, please update my address", "neutral", "delivery"),
        ("The invoice finally makes sense now, thank you for changing it", "positive", "billing"),
        ("Courier left it with a neighbour I have never met", "negative", "delivery"),
        ("I would give it 8 out of 10, the food is always fresh", "positive", "quality"),
        ("Still no reply to my email from two weeks ago", "negative", "waiting"),
        ("Filled in the form online, took five minutes", "positive", "website|waiting"),
        ("Not bad at all, the guy in the shop knew his stuff", "positive", "staff"),
        ("Price went up again and nobody told us", "negative", "price"),
        ("Delivery was fine. Product was fine. Nothing special", "neutral", "delivery|quality"),
        ("Please call me back about my direct debit", "neutral", "billing"),
        ("Cant log in since the update, reset password doesnt work either", "negative", "website"),
        ("Lovely people, shame about the endless queue", "negative", "staff|waiting"),
        ("The quality has really gone downhill the last year", "negative", "quality"),
        ("Quick, friendly, done. That is all I want", "positive", "staff|waiting"),
        ("Why is there a fee for paying by card?", "neutral", "billing|price"),
    ],
    "nl": [
        ("40 min in de wacht gestaan en toen werd ik gewoon afgebroken", "negative", "waiting"),
        ("prima", "positive", ""),
        ("geen opmerkingen", "neutral", ""),
        (
            "Meneer aan de telefoon had het binnen 2 minuten geregeld, top",
            "positive",
            "staff|waiting",
        ),
        ("app logt me steeds uit, echt irritant", "negative", "website"),
        (
            "2x afgeschreven deze maand?? wacht nog steeds op mijn geld",
            "negative",
            "billing|waiting",
        ),
        (
            "Doos was gedeukt maar alles zat er heel in, dus geen klachten",
            "positive",
            "delivery|quality",
        ),
        ("beetje prijzig voor wat je krijgt", "negative", "price"),
        ("Zit bellen naar het buitenland ook in het nieuwe abonnement?", "neutral", "price"),
        ("In een keer opgelost, zonder gedoe. Dank je wel", "positive", "staff"),
        ("De jas viel na twee keer wassen uit elkaar", "negative", "quality"),
        ("Pakketje was een dag eerder dan verwacht, leuke verrassing", "positive", "delivery"),
        ("Drie medewerkers, drie verschillende antwoorden", "negative", "staff"),
        (
            "Website is op zich duidelijk maar afrekenen op mijn telefoon lukt niet",
            "negative",
            "website",
        ),
        ("Niet goedkoop, maar het is het echt waard", "positive", "price|quality"),
        ("Ik ben verhuisd, willen jullie mijn adres aanpassen", "neutral", "delivery"),
        ("De factuur is eindelijk te begrijpen, fijn dat dat is aangepast", "positive", "billing"),
        ("Bezorger heeft het bij een buurman afgegeven die ik niet ken", "negative", "delivery"),
        ("Ik geef een 8, het eten is altijd vers", "positive", "quality"),
        ("Nog steeds geen antwoord op mijn mail van twee weken geleden", "negative", "waiting"),
        ("Formulier online ingevuld, was in vijf minuten klaar", "positive", "website|waiting"),
        ("Helemaal niet slecht, de jongen in de winkel wist er alles van", "positive", "staff"),
        ("Prijs is weer omhoog en niemand heeft ons iets laten weten", "negative", "price"),
        ("Bezorging was ok, product ook. Niks bijzonders", "neutral", "delivery|quality"),
        ("Graag terugbellen over mijn automatische incasso", "neutral", "billing"),
        (
            "Kan sinds de update niet meer inloggen, wachtwoord resetten werkt ook niet",
            "negative",
            "website",
        ),
        ("Aardige mensen, jammer van die eindeloze rij", "negative", "staff|waiting"),
        ("De kwaliteit is het laatste jaar echt achteruit gegaan", "negative", "quality"),
        ("Snel, vriendelijk, klaar. Meer wil ik niet", "positive", "staff|waiting"),
        ("Waarom betaal ik extra als ik met de creditcard betaal?", "neutral", "billing|price"),
    ],
}


def clause(rng: random.Random, language: str, theme: str, polarity: str) -> str:
    subjects, good, bad = BANK[language][theme]
    if polarity == "negative" and rng.random() < 0.25:
        # Negated praise: "was friendly" → "was not friendly".
        candidates = [
            p
            for p in good
            if p.startswith(NEGATABLE[language]) and not set(p.split()) & ALREADY_NEGATIVE
        ]
        if candidates:
            verb, rest = rng.choice(candidates).split(" ", 1)
            return f"{rng.choice(subjects)} {verb} {NEGATION[language]} {rest}"
    return f"{rng.choice(subjects)} {rng.choice(good if polarity == 'positive' else bad)}"


def typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.random()
    if kind < 0.4:
        word = word[:at] + word[at + 1 :]
    elif kind < 0.7:
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[i] = word
    return " ".join(words)


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
        turn = rng.choice(TURN[language])
        text += f", {turn} {clause(rng, language, second, other)}"
        used.append(second)
        label = polarity if turn in CONCESSIVE else other
    elif roll < 0.75:  # a second theme, same feeling
        second = rng.choice([t for t in themes if t != first])
        text += (" and " if language == "en" else " en ") + clause(rng, language, second, polarity)
        used.append(second)
    text = text[0].upper() + text[1:] + "." + rng.choice(CLOSERS[label][language])
    return text, label, sorted(used)


def roughen(rng: random.Random, text: str) -> str:
    if rng.random() < 0.25:  # typed quickly: lower case, no final full stop
        text = text.lower().rstrip(".")
    if rng.random() < 0.2:
        text = typo(rng, text)
    return text


def main() -> None:
    for language in ("nl", "en"):
        rng = random.Random(f"outsidein-{language}")
        rows = []
        seen: set[str] = set()
        written = list(HANDWRITTEN[language])
        while len(rows) < PER_LANGUAGE:
            # About one comment in six is hand-written, spread through the file.
            if written and len(rows) % 6 == 5:
                text, label, joined = written.pop(0)
                themes = [t for t in joined.split("|") if t]
            else:
                text, label, themes = comment(rng, language)
                text = roughen(rng, text)
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
