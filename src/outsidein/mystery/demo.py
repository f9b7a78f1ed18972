"""The mystery part of the demo organisation (Polderstroom Energie B.V.).

``seed_mystery_demo`` gives the demo a year of mystery shopping: five scenarios owned by the
teams that serve them, a round of shops every quarter planned by the real planner
(``services.plan_assignments``) and reported through the real report service, so scores,
rotation and expiry are what the product itself would produce. It uses one seeded
``random.Random`` only and does nothing once the organisation has scenarios.

The story the results page tells:

* the website chat about a payment plan is clearly the weakest touchpoint (around 50 of 100):
  long waits, a bot that loops, no one who may decide on a plan;
* phoning about the annual bill improves over the year, with a dip while the new billing system
  misbehaved (the same months as the voice demo's billing story);
* planning a fitter's visit improves steadily since the two-hour time slots;
* IT lags behind on doing its shops, Finance a little; Klantenservice nearly always does them;
* the current round is under way: some shops are reported, some open, some overdue, and the
  demo employee (Lotte Bakker) still has hers to do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from outsidein.core.demo import LOGINS
from outsidein.core.models import Organisation, Person, Team
from outsidein.mystery import services
from outsidein.mystery.models import Assignment, AssignmentStatus, Scenario

ROUNDS = 5  # four quarters back and the current one
CURRENT_ROUND_AGE = 25  # days since the current round started (a few shops are overdue)


@dataclass(frozen=True)
class Spec:
    key: str
    name: str
    channel: str
    touchpoint: str
    team: str
    instructions: str
    checklist: tuple[str, ...]
    scoring: tuple[str, ...]
    # Quality (0–100) at the start and the end of the year; the story adds dips.
    start: float
    end: float


SCENARIOS = [
    Spec(
        "jaarnota",
        "Bellen over de jaarnota",
        "phone",
        "Vraag over de jaarnota",
        "klantenservice",
        "Bel 030 – klantenservice als klant die de jaarnota niet begrijpt: het termijnbedrag "
        "stijgt met € 40 per maand. Vraag waarom, en of het lager kan. Noteer hoe lang je "
        "wacht, of je de uitleg snapt en of je een bevestiging per e-mail krijgt.",
        (
            "Binnen 3 minuten een medewerker aan de lijn",
            "Medewerker noemt zijn of haar naam",
            "Uitleg van het nieuwe termijnbedrag klopt met de jaarnota",
            "Bevestiging per e-mail ontvangen",
        ),
        ("Vriendelijkheid", "Duidelijkheid van de uitleg", "Gevoel dat je serieus genomen wordt"),
        62.0,
        80.0,
    ),
    Spec(
        "chat",
        "Chatten over een betalingsregeling",
        "widget",
        "Betalingsregeling treffen",
        "klantenservice",
        "Open de chat op polderstroom.example/service en vraag als klant met een "
        "betalingsachterstand van € 380 om een regeling in drie termijnen. Kijk of je een mens "
        "spreekt, of er een voorstel komt en of je weet wat de volgende stap is.",
        (
            "Binnen 2 minuten een mens in de chat",
            "Concreet voorstel voor een regeling",
            "Duidelijk wat de volgende stap is",
            "Geen herhaalde vragen naar je klantnummer",
        ),
        ("Begrip voor de situatie", "Snelheid", "Oplossing"),
        48.0,
        55.0,
    ),
    Spec(
        "verhuizing",
        "Verhuizing doorgeven per e-mail",
        "email",
        "Verhuizing doorgeven",
        "klantenservice",
        "Mail klantenservice dat je over drie weken verhuist binnen Utrecht en vraag wat je moet "
        "doen met de meterstanden en het termijnbedrag. Let op de reactietijd en of alle vragen "
        "beantwoord worden.",
        (
            "Antwoord binnen 1 werkdag",
            "Alle vragen beantwoord",
            "Uitleg over het doorgeven van meterstanden",
        ),
        ("Toon van de e-mail", "Volledigheid"),
        70.0,
        72.0,
    ),
    Spec(
        "monteur",
        "Monteursbezoek plannen",
        "phone",
        "Installatieafspraak laadpaal",
        "meters-installatie",
        "Bel als klant die een laadpaal heeft besteld en vraag om een installatieafspraak. Kijk "
        "of je een tijdvak krijgt, of de voorbereiding (meterkast, foto's) uitgelegd wordt en of "
        "de afspraak bevestigd wordt.",
        (
            "Afspraak binnen 10 werkdagen mogelijk",
            "Tijdvak van maximaal 2 uur",
            "Voorbereiding uitgelegd",
            "Bevestiging met tijdvak ontvangen",
        ),
        ("Flexibiliteit", "Deskundigheid"),
        70.0,
        85.0,
    ),
    Spec(
        "social",
        "Klacht via sociale media",
        "social",
        "Klacht melden",
        "marketing",
        "Stuur een openbaar bericht op sociale media over een storing in de Polderstroom-app "
        "(verbruik wordt niet getoond). Kijk hoe snel er gereageerd wordt, of het gesprek naar "
        "een privébericht gaat en of het probleem daarna opgelost wordt.",
        (
            "Reactie binnen 4 uur",
            "Gesprek netjes naar een privébericht verplaatst",
            "Probleem daarna opgelost of een datum genoemd",
        ),
        ("Toon", "Eigenaarschap"),
        64.0,
        70.0,
    ),
]

# Chance that a member of the team does their shop in time.
COMPLETION = {"it": 0.4, "finance": 0.65, "hr": 0.8, "klantenservice": 0.96}
DEFAULT_COMPLETION = 0.86

OBSERVATIONS = {
    "jaarnota": {
        "good": [
            "Snel aan de lijn, de medewerker legde rustig uit waarom het termijnbedrag omhoog "
            "ging. Bevestiging kwam binnen een kwartier.",
            "Prettig gesprek. Er werd meteen voorgesteld het termijnbedrag iets lager te zetten.",
            "Duidelijke uitleg met de jaarnota erbij, ik wist precies waar ik moest kijken.",
        ],
        "bad": [
            "Twaalf minuten in de wacht. De uitleg over het termijnbedrag was vaag en er kwam "
            "geen bevestiging per e-mail.",
            "De medewerker zag een ander bedrag dan op mijn jaarnota stond; het nieuwe "
            "facturatiesysteem gaf verwarring.",
            "Twee keer doorverbonden, beide keren mijn verhaal opnieuw moeten doen.",
        ],
    },
    "chat": {
        "good": [
            "Na een paar minuten een medewerker, die meteen een regeling in drie termijnen "
            "aanbood.",
            "Vriendelijk en concreet; de bevestiging van de regeling stond daarna in de app.",
        ],
        "bad": [
            "De chatbot bleef in een rondje vragen stellen, pas na tien minuten een mens. Die "
            "mocht geen regeling afspreken en verwees naar de telefoon.",
            "Drie keer om mijn klantnummer gevraagd. Geen voorstel, alleen 'we nemen contact op'.",
            "Chat viel weg na vijf minuten wachten; opnieuw beginnen en weer van voren af aan.",
            "Geen idee wat de volgende stap was. Voelde me eerder een wanbetaler dan een klant.",
        ],
    },
    "verhuizing": {
        "good": [
            "Antwoord binnen een dag, alle vragen netjes beantwoord met een link naar het "
            "formulier.",
            "Kort en duidelijk antwoord, inclusief wat er met het termijnbedrag gebeurt.",
        ],
        "bad": [
            "Pas na drie werkdagen antwoord, en de vraag over het termijnbedrag werd overgeslagen.",
            "Standaardmail zonder antwoord op mijn vraag over de meterstanden.",
        ],
    },
    "monteur": {
        "good": [
            "Meteen een tijdvak van twee uur volgende week, met een mail over de meterkast.",
            "Planner dacht mee over een avondafspraak. Bevestiging met foto-instructies kwam "
            "direct.",
        ],
        "bad": [
            "Alleen 'ergens tussen 8 en 17 uur' mogelijk, over drie weken.",
            "Niemand vertelde dat de meterkast eerst aangepast moest worden.",
        ],
    },
    "social": {
        "good": [
            "Binnen een uur reactie, netjes naar een privébericht en de volgende dag was het "
            "opgelost.",
            "Persoonlijke reactie met naam, en een update toen de storing voorbij was.",
        ],
        "bad": [
            "Pas de volgende dag een standaardreactie, daarna niets meer gehoord.",
            "Doorverwezen naar de klantenservice zonder dat iemand het probleem oppakte.",
        ],
    },
}

# In the current round: a few reports open a follow-up or propose a change.
FOLLOW_UPS = {
    "chat": "Chat verwijst betalingsregeling door naar de telefoon",
    "jaarnota": "Geen bevestigingsmail na telefonische uitleg jaarnota",
}
PROPOSAL = ("chat", "Chatmedewerkers mogen zelf een betalingsregeling afspreken")


def _quality(spec: Spec, progress: float, day: date, go_live: date) -> float:
    quality = spec.start + (spec.end - spec.start) * progress
    if spec.key == "jaarnota" and go_live <= day < go_live + timedelta(days=62):
        quality -= 14.0  # the new billing system's first two months
    return max(5.0, min(97.0, quality))


def _answers(
    rng: random.Random, scenario: Scenario, quality: float
) -> tuple[dict[str, str], dict[str, int]]:
    checklist: dict[str, str] = {}
    for item in scenario.checklist:
        roll = rng.random()
        checklist[item["key"]] = (
            "na" if roll < 0.03 else "yes" if rng.random() < quality / 100 else "no"
        )
    mean = 1 + 4 * quality / 100
    scores = {item["key"]: max(1, min(5, round(rng.gauss(mean, 0.8)))) for item in scenario.scoring}
    return checklist, scores


def _noon(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59))))


def counts(organisation: Organisation) -> dict[str, int]:
    shops = Assignment.objects.filter(organisation=organisation)
    return {
        "scenarios": Scenario.objects.filter(organisation=organisation).count(),
        "shops": shops.count(),
        "reported": shops.filter(status=AssignmentStatus.DONE).count(),
        "open": shops.filter(status=AssignmentStatus.ASSIGNED).count(),
    }


def seed_mystery_demo(
    organisation: Organisation, *, seed: int, now: datetime | None = None
) -> dict[str, int]:
    """A year of mystery shopping for the demo organisation, once; returns the counts."""
    from outsidein.voice.demo import billing_go_live

    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        if Scenario.objects.filter(organisation=organisation).exists():
            return counts(organisation)
        rng = random.Random(seed * 7919 + 6)
        teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
        scenarios: dict[str, Scenario] = {}
        specs = {spec.key: spec for spec in SCENARIOS}
        first_day = today - timedelta(days=CURRENT_ROUND_AGE + 90 * (ROUNDS - 1))
        for spec in SCENARIOS:
            scenario = services.create_scenario(
                organisation,
                name=spec.name,
                channel=spec.channel,
                touchpoint=spec.touchpoint,
                team=teams.get(spec.team),
                instructions=spec.instructions,
                checklist=spec.checklist,
                scoring=spec.scoring,
            )
            Scenario.objects.filter(pk=scenario.pk).update(
                created_at=_noon(first_day - timedelta(days=14), rng)
            )
            scenarios[scenario.name] = scenario
        keys = {scenario.pk: spec.key for spec in SCENARIOS for scenario in [scenarios[spec.name]]}
        team_slugs = {team.pk: slug for slug, team in teams.items()}
        demo_employee = next(spec.email for spec in LOGINS if spec.role == "employee")
        go_live = billing_go_live(now)
        services.programme_for(organisation)
        follow_ups = dict(FOLLOW_UPS)
        proposal_left = True
        for index in range(ROUNDS):
            start = first_day + timedelta(days=90 * index)
            current = index == ROUNDS - 1
            created = services.plan_assignments(organisation, start).created
            Assignment.objects.filter(pk__in=[shop.pk for shop in created]).update(
                created_at=_noon(start, rng), reminder_stage=1, reminded_at=_noon(start, rng)
            )
            people = {
                person.pk: person
                for person in Person.objects.filter(pk__in=[shop.person_id for shop in created])
            }
            for shop in created:
                person = people[shop.person_id]
                slug = team_slugs.get(person.team_id or 0, "")
                chance = COMPLETION.get(slug, DEFAULT_COMPLETION)
                day = start + timedelta(days=min(rng.randint(1, 26), rng.randint(1, 26)))
                if rng.random() >= chance or day > today:
                    continue  # left open: expires when the next round starts
                if current and person.email == demo_employee:
                    continue  # the demo employee still has hers to do
                if current and rng.random() < 0.45:
                    continue  # the current round is under way
                spec = specs[keys[shop.scenario_id]]
                progress = index / (ROUNDS - 1)
                quality = _quality(spec, progress, day, go_live)
                checklist, scores = _answers(rng, scenarios[spec.name], quality)
                outcome = "good" if quality + rng.gauss(0, 12) >= 62 else "bad"
                observations = rng.choice(OBSERVATIONS[spec.key][outcome])
                follow_up = proposal = ""
                if current and spec.key in follow_ups and "no" in checklist.values():
                    follow_up = follow_ups.pop(spec.key)
                elif current and outcome == "bad" and proposal_left and spec.key == PROPOSAL[0]:
                    proposal, proposal_left = PROPOSAL[1], False
                shop.person = person
                services.submit_report(
                    shop,
                    by=person,
                    checklist=checklist,
                    scores=scores,
                    observations=observations,
                    shopped_on=day,
                    follow_up=follow_up,
                    proposal=proposal,
                    now=min(now, _noon(day, rng) + timedelta(hours=rng.randint(0, 20))),
                )
        # The planner expires what a round left open when the next starts; the current round's
        # open shops stay open (some are overdue by now).
        return counts(organisation)
