"""The strategy part of the Polderstroom demo: segment strategies and rules, needs served and
declined (customers keep asking for one of the declined ones), two journeys whose touchpoints
are linked to the demo's real surveys and feedback, the processes behind them, and a couple of
teams and processes that the "disconnected" flags reveal.

Deterministic (same data for the same organisation and seed) and idempotent (a second run adds
nothing)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from outsidein.core.models import Customer, Organisation, Segment, Team
from outsidein.strategy import services
from outsidein.strategy.models import (
    CustomerAttribute,
    DeclinedRequest,
    Journey,
    Need,
    NeedTag,
    Process,
    SegmentRule,
    SegmentStrategy,
    Touchpoint,
    TouchpointLink,
)
from outsidein.voice.models import Feedback, FeedbackKind, Survey

STRATEGIES = {
    "Huishoudens": (
        "core",
        "operational_excellence",
        "Groene stroom en gas tegen een eerlijke prijs, zonder gedoe: een rekening die klopt, "
        "een app die laat zien wat je verbruikt en opwekt, en snel antwoord als er iets is.",
        "Nooit verrast worden door de jaarnota; binnen een dag geholpen; alles zelf in de app.",
    ),
    "MKB": (
        "grow",
        "customer_intimacy",
        "Een energieleverancier die je bedrijf kent: één aanspreekpunt, heldere maandfacturen "
        "en advies over verduurzaming dat past bij je zaak.",
        "Bellen en meteen iemand spreken die je situatie kent; geen verrassingen op de factuur.",
    ),
    "Zakelijk groot": (
        "maintain",
        "customer_intimacy",
        "Maatwerkcontracten met vaste accountmanager en rapportage per vestiging.",
        "Proactief geïnformeerd over prijzen en verbruik; afspraken die worden nagekomen.",
    ),
    "Energiecoöperaties": (
        "grow",
        "product_leadership",
        "De beste partner om lokaal opgewekte stroom te leveren aan de eigen leden, met "
        "realtime inzicht in opwek en afname.",
        "Leden zien in de app hoeveel van hun stroom uit hun eigen wijk komt.",
    ),
}

# name, segment, conditions
RULES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "Coöperaties",
        "Energiecoöperaties",
        [{"field": "attr:type", "op": "is", "value": "cooperatie"}],
    ),
    ("Particulieren", "Huishoudens", [{"field": "kind", "op": "is", "value": "consumer"}]),
    (
        "Grootzakelijk",
        "Zakelijk groot",
        [
            {"field": "kind", "op": "is", "value": "business"},
            {"field": "attr:size", "op": "in", "value": ["250+"]},
        ],
    ),
    (
        "MKB naar omvang",
        "MKB",
        [
            {"field": "kind", "op": "is", "value": "business"},
            {"field": "attr:size", "op": "in", "value": ["1-9", "10-49", "50-249"]},
        ],
    ),
]

# segment, name, stance, reason
NEEDS: list[tuple[str, str, str, str]] = [
    ("Huishoudens", "Een voorspelbare, kloppende energierekening", "served",
     "Kern van operationele excellentie: de rekening moet gewoon kloppen."),
    ("Huishoudens", "Inzicht in verbruik en opwek", "served",
     "De app is ons belangrijkste contactkanaal; zelf regelen is goedkoper en sneller."),
    ("Huishoudens", "Snel antwoord op een vraag", "served",
     "Klantvragen gaan altijd voor."),
    ("Huishoudens", "Maandelijks betalen op werkelijk verbruik", "declined",
     "Past niet in ons termijnbedragmodel en vraagt een duurder facturatiesysteem; we maken het "
     "termijnbedrag wel beter voorspelbaar."),
    ("Huishoudens", "Persoonlijk energieadvies aan huis", "declined",
     "Past niet bij operationele excellentie: we verwijzen naar het energieloket van de gemeente."),
    ("MKB", "Eén vast aanspreekpunt", "served",
     "Klantintimiteit: het MKB wil iemand die hun zaak kent."),
    ("MKB", "Advies over verduurzaming van het pand", "served",
     "Groeimarkt; samen met installatiepartners."),
    ("MKB", "Maatwerkcontract per vestiging", "declined",
     "Alleen voor Zakelijk groot; voor het MKB houden we standaardproducten."),
    ("Energiecoöperaties", "Realtime inzicht in lokale opwek", "served",
     "Productleiderschap: hier willen we de beste zijn."),
    ("Zakelijk groot", "Rapportage per vestiging", "served",
     "Onderdeel van het maatwerkcontract."),
]  # fmt: skip

# journey: (segment, name, description, stages)
# stage: (name, kind, touchpoints); touchpoint: (name, channel, team slug, moment, expected,
# measure, survey name)
JOURNEYS: list[tuple[str, str, str, list[tuple[str, str, list[tuple[Any, ...]]]]]] = [
    ("Huishoudens", "Klantreis huishoudens", "Van oriëntatie tot opzeggen, voor particulieren.", [
        ("Oriëntatie", "orientation", [
            ("Website en prijsvergelijker", "widget", "marketing", False,
             "In twee minuten een eerlijke prijs, zonder kleine lettertjes.", "", None),
        ]),
        ("Overstappen", "purchase", [
            ("Overstappen en welkom", "email", "klantenservice", True,
             "Binnen een week alles geregeld; de klant hoeft niets zelf op te zeggen.", "", None),
        ]),
        ("Installatie", "onboarding", [
            ("Slimme meter of laadpaal plaatsen", "visit", "meters-installatie", True,
             "Monteur op de afgesproken tijd; alles netjes achtergelaten.", "", "Installatie-CES"),
        ]),
        ("Gebruik", "use", [
            ("App: verbruik en opwek", "other", "product", False,
             "Elke dag actueel; de klant begrijpt wat hij ziet.", "", None),
            ("Jaarnota", "email", "facturatie", True,
             "Geen verrassingen: de jaarnota klopt en is te begrijpen.", "", "Jaarnota-CSAT"),
        ]),
        ("Service", "support", [
            ("Klantenservice: telefoon en chat", "phone", "klantenservice", True,
             "Binnen drie minuten iemand aan de lijn die het oplost.", "", "Klantcontact-CSAT"),
        ]),
        ("Verlengen", "renewal", [
            ("Contractverlenging", "email", "klantbeleving", False,
             "Een eerlijk aanbod, op tijd.", "nps", "Relatie-NPS"),
        ]),
        ("Vertrekken", "leaving", [
            ("Opzeggen en eindafrekening", "email", None, True,
             "Netjes afgerond; de klant vertrekt zonder wrok.", "", None),
        ]),
    ]),
    ("MKB", "Klantreis MKB", "Voor winkels, horeca, ambacht en kantoren.", [
        ("Oriëntatie", "orientation", [
            ("Offerte aanvragen", "email", "accountmanagement", False,
             "Binnen twee werkdagen een offerte op maat.", "", None),
        ]),
        ("Start", "onboarding", [
            ("Aansluiting en contract", "phone", "klantenservice", True,
             "Levering zonder onderbreking vanaf de eerste dag.", "", None),
        ]),
        ("Gebruik", "use", [
            ("Maandfactuur en jaarnota", "email", "facturatie", False,
             "Duidelijke factuur die de boekhouding direct kan verwerken.", "", "Jaarnota-CSAT"),
        ]),
        ("Service", "support", [
            ("Zakelijke servicelijn", "phone", "klantenservice", True,
             "Meteen iemand die het bedrijf kent.", "", "Klantcontact-CSAT"),
        ]),
        ("Verlengen", "renewal", [
            ("Jaargesprek met de accountmanager", "visit", "accountmanagement", True,
             "Een gesprek over het bedrijf, niet alleen over de prijs.", "", "Relatie-NPS"),
        ]),
    ]),
]  # fmt: skip

# name, team slug, description, touchpoint names
PROCESSES: list[tuple[str, str, str, list[str]]] = [
    ("Jaarnota opstellen en versturen", "facturatie",
     "Meterstanden verzamelen, afrekenen en de jaarnota versturen.",
     ["Jaarnota", "Maandfactuur en jaarnota"]),
    ("Betalingsregelingen en incasso", "facturatie",
     "Termijnbedragen, regelingen en herinneringen.", ["Jaarnota"]),
    ("Installaties plannen", "meters-installatie",
     "Afspraken met klanten en inzet van monteurs.", ["Slimme meter of laadpaal plaatsen"]),
    ("Routering van klantvragen", "klantenservice",
     "Vragen en klachten bij het team dat de oorzaak bezit.",
     ["Klantenservice: telefoon en chat", "Zakelijke servicelijn"]),
    ("Overstapservice", "klantenservice",
     "Opzeggen bij de vorige leverancier en welkom heten.", ["Overstappen en welkom"]),
    ("App-releases", "product", "Elke twee weken een nieuwe versie van de app.",
     ["App: verbruik en opwek"]),
    ("Offertes en contracten", "accountmanagement", "Offertes en verlengingen voor zakelijke klanten.",
     ["Offerte aanvragen", "Jaargesprek met de accountmanager"]),
    ("Maandafsluiting", "finance", "De boeken sluiten en rapporteren aan de directie.", []),
    ("Energie-inkoop", "finance", "Stroom en gas inkopen op de groothandelsmarkt.", []),
    ("Interne IT-servicedesk", "it", "Laptops, accounts en wachtwoorden van collega's.", []),
]  # fmt: skip

PRESSURE_NEED = "Maandelijks betalen op werkelijk verbruik"
REQUESTS_PER_DECLINED = 7


def counts(organisation: Organisation) -> dict[str, int]:
    org = organisation.pk
    return {
        "segment_strategies": SegmentStrategy.objects.filter(organisation_id=org).count(),
        "segment_rules": SegmentRule.objects.filter(organisation_id=org).count(),
        "needs": Need.objects.filter(organisation_id=org).count(),
        "declined_requests": DeclinedRequest.objects.filter(organisation_id=org).count(),
        "journeys": Journey.objects.filter(organisation_id=org).count(),
        "touchpoints": Touchpoint.objects.filter(organisation_id=org).count(),
        "touchpoint_links": TouchpointLink.objects.filter(organisation_id=org).count(),
        "processes": Process.objects.filter(organisation_id=org).count(),
    }


def seed_strategy_demo(
    organisation: Organisation, *, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    """Give the demo organisation its strategy, once; return the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        if Journey.objects.filter(organisation=organisation).exists():
            return counts(organisation)
        rng = random.Random(seed)
        segments = {s.name: s for s in Segment.objects.filter(organisation=organisation)}
        teams = {t.slug: t for t in Team.objects.filter(organisation=organisation)}
        _strategies(segments, now)
        _attributes(organisation, rng, segments, now)
        _rules(organisation, segments, now)
        needs = _needs(organisation, segments, now)
        _demand(organisation, needs, segments, now)
        touchpoints = _journeys(organisation, segments, teams, now)
        _processes(organisation, teams, touchpoints, now)
        return counts(organisation)


def _strategies(segments: dict[str, Segment], now: datetime) -> None:
    for name, (priority, discipline, proposition, experience) in STRATEGIES.items():
        if name in segments:
            SegmentStrategy.objects.update_or_create(
                segment=segments[name],
                defaults={
                    "organisation_id": segments[name].organisation_id,
                    "priority": priority,
                    "value_discipline": discipline,
                    "proposition": proposition,
                    "desired_experience": experience,
                    "created_at": now,
                },
            )


def _attributes(
    organisation: Organisation, rng: random.Random, segments: dict[str, Segment], now: datetime
) -> None:
    """Size (and for cooperatives a type) for the business customers, fitting their segment."""
    by_segment = {segment.pk: name for name, segment in segments.items()}
    rows = []
    for pk, segment_id in (
        Customer.objects.filter(organisation=organisation, kind="business")
        .order_by("pk")
        .values_list("pk", "segment_id")
    ):
        name = by_segment.get(segment_id, "")
        if name == "Zakelijk groot":
            size = "250+"
        elif name == "Energiecoöperaties":
            size = rng.choice(["1-9", "10-49"])
            rows.append(_attribute(organisation, pk, "type", "cooperatie", now))
        else:
            size = rng.choices(["1-9", "10-49", "50-249"], [60, 30, 10])[0]
        rows.append(_attribute(organisation, pk, "size", size, now))
    CustomerAttribute.objects.bulk_create(rows, batch_size=1000)


def _attribute(
    organisation: Organisation, customer_id: int, key: str, value: str, now: datetime
) -> CustomerAttribute:
    return CustomerAttribute(
        organisation=organisation, customer_id=customer_id, key=key, value=value, created_at=now
    )


def _rules(organisation: Organisation, segments: dict[str, Segment], now: datetime) -> None:
    for position, (name, segment, conditions) in enumerate(RULES, start=1):
        if segment in segments:
            rule = services.create_rule(
                organisation,
                name=name,
                segment=segments[segment],
                position=position * 10,
                conditions=conditions,
            )
            SegmentRule.objects.filter(pk=rule.pk).update(created_at=now)


def _needs(
    organisation: Organisation, segments: dict[str, Segment], now: datetime
) -> dict[str, Need]:
    needs = {}
    for segment, name, stance, reason in NEEDS:
        if segment in segments:
            needs[name] = Need.objects.create(
                organisation=organisation,
                segment=segments[segment],
                name=name,
                stance=stance,
                reason=reason,
                created_at=now,
            )
    return needs


def _demand(
    organisation: Organisation, needs: dict[str, Need], segments: dict[str, Segment], now: datetime
) -> None:
    """Customers keep asking to pay monthly on actual use (pressure on a declined need);
    billing questions and app feedback count as demand for the needs served."""
    households = segments.get("Huishoudens")
    if households is None or PRESSURE_NEED not in needs:
        return
    billing = (
        Feedback.objects.filter(
            organisation=organisation,
            segment=households,
            kind__in=[FeedbackKind.QUESTION, FeedbackKind.COMPLAINT],
            tags__name="Factuur",
        )
        .order_by("-submitted_at", "pk")
        .distinct()
    )
    pressure = needs[PRESSURE_NEED]
    tags = []
    for number, feedback in enumerate(billing[:18]):
        need = pressure if number % 3 != 2 else needs["Een voorspelbare, kloppende energierekening"]
        label = f"#{feedback.pk} {feedback.subject or feedback.comment}"[:200]
        tags.append(
            NeedTag(
                organisation=organisation,
                need=need,
                kind="feedback",
                ref_id=feedback.pk,
                label=label,
                created_at=now,
            )
        )
    app = Feedback.objects.filter(
        organisation=organisation, segment=households, tags__name="App & portaal"
    ).order_by("-submitted_at", "pk")[:6]
    for feedback in app:
        tags.append(
            NeedTag(
                organisation=organisation,
                need=needs["Inzicht in verbruik en opwek"],
                kind="feedback",
                ref_id=feedback.pk,
                label=f"#{feedback.pk} {feedback.subject or feedback.comment}"[:200],
                created_at=now,
            )
        )
    NeedTag.objects.bulk_create(tags, ignore_conflicts=True)
    questions = list(
        billing.filter(kind=FeedbackKind.QUESTION).select_related("customer")[
            :REQUESTS_PER_DECLINED
        ]
    )
    declined = []
    for number, question in enumerate(questions):
        declined.append(
            DeclinedRequest(
                organisation=organisation,
                request="Maandelijks betalen op werkelijk verbruik in plaats van een termijnbedrag",
                source="question",
                ref_id=question.pk,
                need=pressure,
                segment=households,
                customer=question.customer,
                reason=pressure.reason,
                customer_told=number % 3 != 0,
                decided_on=(now - timedelta(days=10 * number + 3)).date(),
                created_at=now,
            )
        )
    mkb = segments.get("MKB")
    if mkb is not None and "Maatwerkcontract per vestiging" in needs:
        declined.append(
            DeclinedRequest(
                organisation=organisation,
                request="Apart contract en aparte tarieven voor onze drie filialen",
                source="sales",
                need=needs["Maatwerkcontract per vestiging"],
                segment=mkb,
                reason="Maatwerk per vestiging is voorbehouden aan Zakelijk groot.",
                customer_told=True,
                decided_on=(now - timedelta(days=40)).date(),
                created_at=now,
            )
        )
    if "Persoonlijk energieadvies aan huis" in needs:
        declined.append(
            DeclinedRequest(
                organisation=organisation,
                request="Kan er iemand langskomen om advies te geven over isolatie?",
                source="question",
                need=needs["Persoonlijk energieadvies aan huis"],
                segment=households,
                reason="We verwijzen naar het energieloket van de gemeente.",
                customer_told=False,
                decided_on=(now - timedelta(days=12)).date(),
                created_at=now,
            )
        )
    DeclinedRequest.objects.bulk_create(declined)


def _journeys(
    organisation: Organisation,
    segments: dict[str, Segment],
    teams: dict[str, Team],
    now: datetime,
) -> dict[str, list[Touchpoint]]:
    from outsidein.mystery.models import Scenario

    surveys = {s.name: s for s in Survey.objects.filter(organisation=organisation)}
    scenarios = list(Scenario.objects.filter(organisation=organisation).order_by("pk"))
    touchpoints: dict[str, list[Touchpoint]] = {}
    for segment_name, name, description, stages in JOURNEYS:
        segment = segments.get(segment_name)
        if segment is None:
            continue
        journey = Journey.objects.create(
            organisation=organisation,
            segment=segment,
            name=name,
            description=description,
            created_at=now,
        )
        for position, (stage_name, kind, items) in enumerate(stages, start=1):
            stage = services.create_stage(journey, name=stage_name, kind=kind, position=position)
            for index, (tp_name, channel, team, moment, expected, measure, survey) in enumerate(
                items, start=1
            ):
                touchpoint = services.create_touchpoint(
                    organisation,
                    stage=stage,
                    name=tp_name,
                    channel=channel,
                    team=teams.get(team) if team else None,
                    moment_that_matters=moment,
                    expected_experience=expected,
                    measure=measure,
                    position=index,
                )
                touchpoints.setdefault(tp_name, []).append(touchpoint)
                if survey and survey in surveys:
                    services.link(touchpoint, kind="survey", ref_id=surveys[survey].pk)
                if kind == "support":
                    _link_feedback(organisation, touchpoint, segment, "Bereikbaarheid", 8)
                    for scenario in scenarios:
                        if scenario.channel in ("phone", "widget"):
                            services.link(touchpoint, kind="scenario", ref_id=scenario.pk)
                if tp_name == "Jaarnota":
                    _link_feedback(organisation, touchpoint, segment, "Factuur", 12)
    return touchpoints


def _link_feedback(
    organisation: Organisation, touchpoint: Touchpoint, segment: Segment, tag: str, limit: int
) -> None:
    """Complaints about the touchpoint's theme, linked explicitly (they come from no survey)."""
    complaints = Feedback.objects.filter(
        organisation=organisation, segment=segment, kind=FeedbackKind.COMPLAINT, tags__name=tag
    ).order_by("-submitted_at", "pk")[:limit]
    for feedback in complaints:
        services.link(touchpoint, kind="feedback", ref_id=feedback.pk)


def _processes(
    organisation: Organisation,
    teams: dict[str, Team],
    touchpoints: dict[str, list[Touchpoint]],
    now: datetime,
) -> None:
    for name, team, description, served in PROCESSES:
        services.create_process(
            organisation,
            name=name,
            team=teams.get(team),
            description=description,
            touchpoints=[tp for tp_name in served for tp in touchpoints.get(tp_name, [])],
        )
