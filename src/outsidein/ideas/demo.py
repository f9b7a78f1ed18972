"""The ideas part of the demo organisation (Polderstroom Energie B.V.).

``seed_ideas_demo`` gives the portal a year of history: some 40 ideas from customers in Dutch and
English, votes from customers of every segment, customer and staff comments, statuses spread
from new to done, a few deliberate "no"s with their reason, and two duplicates merged into the
idea they repeat. Everything goes through ``ideas.services`` (no emails), with one seeded
``random.Random``; it does nothing once the organisation has ideas.

The story the numbers tell:

* Product answers within days and ships: solar yield next to usage, dark mode, an English portal.
* Facturatie, busy with the new billing system, leaves the most wanted ideas unanswered for
  months (changing the instalment in the app, the annual statement in plain language, one
  invoice for all sites): their share answered is far below the norm of 80%.
* Meters & installatie delivered what customers asked for: two-hour time slots for the fitter.
* A handful of new ideas has no team yet; the older ones wait on the managers' My work.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
)
from outsidein.ideas import services
from outsidein.ideas.models import Comment, Idea, IdeaStatus, Participant, Vote

H, M, Z, C = "Huishoudens", "MKB", "Zakelijk groot", "Energiecoöperaties"
PARTICIPANTS_PER_SEGMENT = {H: 320, M: 90, Z: 30, C: 20}


@dataclass(frozen=True)
class Spec:
    key: str
    lang: str
    title: str
    description: str
    team: str | None  # team slug
    segment: str
    votes: int
    status: str
    age_days: int  # how long ago it was submitted
    answer_days: float | None = None  # days until the first staff response; None: never
    reason: str = ""  # for a declined idea
    staff: str = ""  # the staff comment at the first response
    dup_of: str | None = None  # merged into this idea (key)


SPECS: list[Spec] = [
    # --- Product: answers within days, and ships -------------------------------------------
    Spec("solar", "nl", "Zonne-opbrengst naast mijn verbruik in de app",
         "Ik heb zonnepanelen en wil per dag zien hoeveel ik opwek en hoeveel ik zelf gebruik, "
         "in één grafiek. Nu moet ik twee apps naast elkaar houden.",
         "product", H, 64, "in_progress", 300, 1.2,
         staff="Dank je! Dit is het meest gevraagde idee van dit jaar. We bouwen het nu; de "
               "eerste versie verwachten we in het voorjaar."),
    Spec("spike", "nl", "Melding als mijn verbruik ineens veel hoger is",
         "Vorige winter bleek onze boiler kapot; dat zag ik pas op de jaarnota. Een seintje "
         "bij een uitschieter had ons honderden euro's gescheeld.",
         "product", H, 47, "planned", 250, 2.0,
         staff="Herkenbaar verhaal. We nemen dit mee in de app-release na de zomer."),
    Spec("dark", "en", "Dark mode in the app",
         "The app is very bright at night. A dark theme would be easier on the eyes.",
         "product", H, 26, "done", 330, 3.0,
         staff="Shipped in version 4.2 — it follows your phone's setting. Thanks!"),
    Spec("login", "nl", "Inloggen met een passkey in plaats van een wachtwoord",
         "Ik vergeet steeds mijn wachtwoord. Met vingerafdruk of gezichtsherkenning zou het "
         "veel makkelijker zijn.", "product", H, 21, "under_review", 120, 2.5),
    Spec("english", "en", "English version of the customer portal",
         "Many expats are customers. The app is in English but the portal is Dutch only.",
         "product", H, 19, "done", 340, 1.0,
         staff="Good point. The portal is now fully available in English."),
    Spec("dynamic", "nl", "Uurprijzen van morgen tonen bij een dynamisch contract",
         "Dan kan ik de wasmachine en de auto laden als de stroom goedkoop is.",
         "product", H, 39, "planned", 200, 1.8),
    Spec("charger", "nl", "Laadpaal automatisch laden als stroom goedkoop is",
         "Onze laadpaal komt van Polderstroom; laat hem slim laden op de goedkoopste uren.",
         "product", H, 31, "under_review", 150, 3.0),
    Spec("sites", "nl", "Verbruik van al onze vestigingen in één overzicht",
         "We hebben vier winkels. Nu moet ik per aansluiting inloggen om het verbruik te zien.",
         "product", M, 23, "planned", 180, 2.0,
         staff="Dit komt in het zakelijke portaal, samen met export per vestiging."),
    Spec("widget", "nl", "Widget op mijn startscherm met het verbruik van vandaag",
         "", "product", H, 12, "declined", 210, 4.0,
         reason="Een widget zou elke paar minuten nieuwe standen nodig hebben, maar de slimme "
                "meter levert die maar eens per kwartier en soms pas een dag later. Dat geeft "
                "verwarrende cijfers. We bouwen liever een betrouwbare melding bij hoog verbruik "
                "(zie dat idee)."),
    Spec("csv", "en", "Export my usage data as CSV",
         "I like to make my own charts in a spreadsheet.", "product", H, 9, "done", 280, 2.0),
    Spec("family", "nl", "Gezinsleden toegang geven tot de app",
         "Mijn partner wil ook het verbruik kunnen zien zonder mijn inlog te gebruiken.",
         "product", H, 14, "new", 3),
    Spec("coop", "nl", "Opwek van onze coöperatie live tonen aan onze leden",
         "Onze leden willen zien hoeveel de zonnevelden vandaag opleveren.",
         "product", C, 16, "planned", 160, 3.0),
    # --- Facturatie: busy with the new billing system; ideas wait for months ---------------
    Spec("instalment", "nl", "Termijnbedrag zelf aanpassen in de app",
         "Als mijn verbruik daalt wil ik mijn maandbedrag zelf kunnen verlagen, zonder te "
         "bellen en in de wacht te staan.", "facturatie", H, 55, "new", 140),
    Spec("plain", "nl", "De jaarnota uitleggen in gewone taal",
         "Ik snap de jaarnota niet: wat is netbeheer, wat is vastrecht, waarom krijg ik geld "
         "terug en betaal ik toch meer?", "facturatie", H, 37, "new", 95),
    Spec("bundle", "nl", "Eén verzamelfactuur voor al onze aansluitingen",
         "Wij krijgen elke maand zes losse facturen. Eén factuur met een specificatie per "
         "aansluiting scheelt onze administratie veel werk.", "facturatie", M, 29, "new", 120),
    Spec("ideal", "en", "Pay by iDEAL instead of only direct debit",
         "I prefer not to give a direct debit mandate.", "facturatie", H, 18, "new", 70),
    Spec("warn", "nl", "Waarschuwing vóór een afschrijving die hoger is dan normaal",
         "Na de overstap op het nieuwe systeem werd er ineens het dubbele afgeschreven. Een "
         "bericht vooraf was fijn geweest.", "facturatie", H, 34, "under_review", 85, 41.0,
         staff="Sorry dat het zo lang duurde voor je een reactie kreeg. We bekijken dit samen "
               "met IT."),
    Spec("ubl", "nl", "Factuur als e-factuur (UBL) voor onze boekhouding",
         "Ons boekhoudpakket leest UBL automatisch in; pdf's moeten we overtypen.",
         "facturatie", Z, 11, "planned", 230, 27.0),
    Spec("paydate", "nl", "Zelf de afschrijfdatum van het termijnbedrag kiezen",
         "Mijn salaris komt op de 25e; de afschrijving op de 20e is onhandig.",
         "facturatie", H, 24, "new", 60),
    Spec("lower", "nl", "Voorschot verlagen zonder te bellen",
         "", "facturatie", H, 8, "new", 90, dup_of="instalment"),
    # --- Klantenservice -------------------------------------------------------------------------
    Spec("callback", "nl", "Terugbelverzoek in plaats van in de wachtrij",
         "Laat me een tijd kiezen waarop jullie mij terugbellen.",
         "klantenservice", H, 42, "done", 310, 2.0,
         staff="Vanaf nu kun je in de wachtrij op 1 drukken: we bellen je terug binnen het uur."),
    Spec("saturday", "nl", "Chat ook op zaterdag",
         "Doordeweeks werk ik, dan heb ik geen tijd om te chatten.",
         "klantenservice", H, 28, "declined", 260, 5.0,
         reason="We hebben het onderzocht. Bij storingen zijn we op zaterdag telefonisch "
                "bereikbaar. Chat op zaterdag vraagt een extra team; dat geld steken we liever "
                "in kortere wachttijden doordeweeks en in de chat tot 21.00 uur, sinds deze "
                "maand."),
    Spec("whatsapp", "en", "Support via WhatsApp",
         "Much easier than the chat on the website, and I can answer when it suits me.",
         "klantenservice", H, 22, "under_review", 100, 3.0),
    Spec("move", "nl", "Verhuizing volledig online doorgeven",
         "Nu moet ik na het formulier nog bellen om de meterstanden door te geven.",
         "klantenservice", H, 36, "in_progress", 190, 2.0),
    Spec("moveform", "nl", "Verhuisformulier waarin ik ook de meterstanden kwijt kan",
         "", "klantenservice", H, 6, "new", 130, dup_of="move"),
    # --- Meters & installatie ---------------------------------------------------------------------
    Spec("slot", "nl", "Tijdvak van twee uur voor de monteur",
         "Een hele ochtend vrij nemen voor een meterwissel is veel gevraagd.",
         "meters-installatie", H, 35, "done", 350, 3.0,
         staff="Sinds dit voorjaar plannen we monteurs in tijdvakken van twee uur."),
    Spec("onroute", "nl", "Sms als de monteur onderweg is",
         "", "meters-installatie", H, 30, "done", 290, 4.0),
    Spec("battery", "nl", "Thuisbatterij via Polderstroom",
         "Met de salderingsregeling die stopt wil ik mijn opwek zelf opslaan.",
         "meters-installatie", H, 27, "under_review", 110, 6.0),
    Spec("heatpump", "en", "Heat pump advice at home",
         "I'd like advice on whether a heat pump suits our house.",
         "meters-installatie", H, 13, "declined", 220, 7.0,
         reason="We supply energy and install meters, chargers and solar panels, but we are not "
                "heat pump specialists and would rather not give half advice. Your municipality's "
                "energy desk offers a free, independent home visit."),
    Spec("chargers", "nl", "Laadpalen voor ons bedrijfsterrein als pakket",
         "Installatie, beheer en afrekening per medewerker in één contract.",
         "meters-installatie", M, 15, "planned", 170, 5.0),
    # --- Accountmanagement -------------------------------------------------------------------------
    Spec("fixed3", "nl", "Vaste prijs voor drie jaar voor grootverbruikers",
         "Voor onze begroting is zekerheid over drie jaar belangrijker dan de laagste prijs.",
         "accountmanagement", Z, 9, "declined", 240, 10.0,
         reason="We kopen onze energie hooguit twee jaar vooruit in; een vaste prijs voor drie "
                "jaar zou een flinke risico-opslag vragen. We bieden wel twee jaar vast met een "
                "prijsplafond voor het derde jaar. Uw accountmanager rekent het graag voor u door."),
    Spec("co2", "nl", "Kwartaalrapport met CO₂-besparing voor ons jaarverslag",
         "", "accountmanagement", Z, 12, "done", 270, 6.0),
    Spec("coopcontact", "nl", "Eén vast aanspreekpunt voor coöperaties",
         "Elke keer een andere medewerker die onze situatie niet kent kost veel tijd.",
         "accountmanagement", C, 10, "done", 320, 3.0,
         staff="Elke coöperatie heeft nu een vaste accountmanager."),
    Spec("api", "en", "API access to our metering data",
         "We want to feed quarter-hour data into our building management system.",
         "accountmanagement", Z, 8, "planned", 150, 9.0),
    # --- Marketing ------------------------------------------------------------------------------------
    Spec("tips", "nl", "Minder reclamemails, meer nuttige besparingstips",
         "", "marketing", H, 23, "in_progress", 130, 4.0),
    Spec("referral", "nl", "Vriendenkorting ook voor bestaande klanten",
         "Nieuwe klanten krijgen korting, trouwe klanten niets.",
         "marketing", H, 32, "declined", 175, 8.0,
         reason="We begrijpen het gevoel. We geven liever geen korting die we via hogere tarieven "
                "terug moeten halen; in plaats daarvan hebben nieuwe en bestaande klanten "
                "hetzelfde tarief. Dat vinden we eerlijker."),
    Spec("newsletter", "en", "Newsletter in English", "", "marketing", H, 10, "done", 260, 2.0),
    # --- Not assigned yet ------------------------------------------------------------------------------
    Spec("coach", "nl", "Een energiecoach die langskomt",
         "Iemand die in huis kijkt waar we kunnen besparen.", None, H, 7, "new", 11),
    Spec("cooling", "nl", "Korting als wij onze koelcellen slim laten sturen",
         "Wij kunnen de koeling een uur uitzetten als het net vol zit.", None, M, 5, "new", 2),
    Spec("co2kwh", "en", "Show the CO₂ per kWh in the app",
         "So I know when my electricity is greenest.", None, H, 4, "new", 8),
    Spec("points", "nl", "Spaarpunten voor minder verbruik", "", None, H, 3, "new", 1),
]  # fmt: skip

CUSTOMER_COMMENTS = {
    "nl": [
        "Ja, graag!",
        "Dit zou mij echt helpen.",
        "Precies waar ik op zat te wachten.",
        "Goed idee, zeker voor de winter.",
        "Wanneer komt dit?",
        "Helemaal mee eens.",
    ],
    "en": [
        "Yes please!",
        "This would really help me.",
        "Exactly what I was looking for.",
        "Great idea.",
        "Any news on this?",
    ],
}
PATHS = {
    IdeaStatus.NEW: [],
    IdeaStatus.UNDER_REVIEW: [IdeaStatus.UNDER_REVIEW],
    IdeaStatus.PLANNED: [IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED],
    IdeaStatus.IN_PROGRESS: [IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS],
    IdeaStatus.DONE: [
        IdeaStatus.UNDER_REVIEW,
        IdeaStatus.PLANNED,
        IdeaStatus.IN_PROGRESS,
        IdeaStatus.DONE,
    ],
    IdeaStatus.DECLINED: [IdeaStatus.UNDER_REVIEW, IdeaStatus.DECLINED],
}


def counts(organisation: Organisation) -> dict[str, int]:
    ideas = Idea.objects.filter(organisation=organisation)
    statuses = dict(ideas.values_list("status").annotate(n=Count("pk")))
    return {
        "ideas": ideas.count(),
        "participants": Participant.objects.filter(organisation=organisation).count(),
        "votes": Vote.objects.filter(organisation=organisation).count(),
        "comments": Comment.objects.filter(organisation=organisation).count(),
        "merged": ideas.filter(merged_into__isnull=False).count(),
        "declined": statuses.get(IdeaStatus.DECLINED, 0),
        "done": statuses.get(IdeaStatus.DONE, 0),
        "unanswered": ideas.filter(first_staff_response_at__isnull=True).count(),
    }


def _participants(
    organisation: Organisation, rng: random.Random, now: datetime
) -> dict[tuple[str, str], list[Participant]]:
    """Customers (consumers by their own address, businesses by their primary contact) who
    verified their address on the portal, per (segment, language)."""
    segments = dict(Segment.objects.filter(organisation=organisation).values_list("name", "pk"))
    created: list[Participant] = []
    for name, wanted in PARTICIPANTS_PER_SEGMENT.items():
        segment_id = segments.get(name)
        if segment_id is None:
            continue
        customers = list(
            Customer.objects.filter(organisation=organisation, segment_id=segment_id)
            .exclude(email="")
            .order_by("pk")
        )
        contacts = {
            contact.customer_id: contact
            for contact in CustomerContactPerson.objects.filter(
                organisation=organisation, customer__segment_id=segment_id, is_primary=True
            ).exclude(email="")
        }
        for customer in rng.sample(customers, min(wanted, len(customers))):
            contact = contacts.get(customer.pk)
            created.append(
                Participant(
                    organisation=organisation,
                    email=(contact.email if contact else customer.email).lower(),
                    name=contact.name if contact else customer.name,
                    language=contact.language if contact else customer.language,
                    customer=customer,
                    contact_person=contact,
                    notify=rng.random() < 0.8,
                    verified_at=now - timedelta(days=rng.uniform(1, 365)),
                    created_at=now - timedelta(days=365),
                )
            )
    unique = {participant.email: participant for participant in created}
    Participant.objects.bulk_create(list(unique.values()), batch_size=500)
    pool: dict[tuple[str, str], list[Participant]] = {}
    names = {pk: name for name, pk in segments.items()}
    for participant in Participant.objects.filter(organisation=organisation).select_related(
        "customer"
    ):
        segment_id = participant.customer.segment_id if participant.customer else None
        segment_name = names.get(segment_id, "") if segment_id else ""
        pool.setdefault((segment_name or "", participant.language), []).append(participant)
    for group in pool.values():
        group.sort(key=lambda p: p.pk)
    return pool


def _staff(organisation: Organisation) -> tuple[dict[str, Person], Person | None]:
    """Per team slug, who answers: its manager when there is one, else its first member; and the
    CX lead, who merges duplicates."""
    by_team: dict[str, Person] = {}
    people = Person.objects.filter(organisation=organisation, team__isnull=False).select_related(
        "team"
    )
    for person in sorted(people, key=lambda p: (p.role != "manager", p.name)):
        assert person.team is not None
        by_team.setdefault(person.team.slug, person)
    lead = (
        Person.objects.filter(organisation=organisation, role="admin", team__slug="klantbeleving")
        .order_by("name")
        .first()
    ) or Person.objects.filter(organisation=organisation, role="admin").order_by("pk").first()
    return by_team, lead


def _pick(
    rng: random.Random,
    pool: dict[tuple[str, str], list[Participant]],
    segment: str,
    language: str | None,
) -> list[Participant]:
    if language is None:
        return [p for (seg, _lang), group in pool.items() if seg == segment for p in group]
    return pool.get((segment, language), [])


def seed_ideas_demo(
    organisation: Organisation, *, seed: int, now: datetime | None = None
) -> dict[str, int]:
    """Give the demo organisation a year of ideas, once; return the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        if Idea.objects.filter(organisation=organisation).exists():
            return counts(organisation)
        rng = random.Random(seed)
        pool = _participants(organisation, rng, now)
        everyone = sorted((p for group in pool.values() for p in group), key=lambda p: p.pk)
        if not everyone:
            return counts(organisation)
        teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
        staff, lead = _staff(organisation)
        ideas: dict[str, Idea] = {}
        for spec in sorted(SPECS, key=lambda s: -s.age_days):
            ideas[spec.key] = _seed_idea(organisation, spec, rng, pool, everyone, teams, staff, now)
        for spec in SPECS:
            if spec.dup_of:
                duplicate, original = ideas[spec.key], ideas[spec.dup_of]
                merged_at = max(duplicate.created_at, original.created_at) + timedelta(
                    days=rng.uniform(1, 4)
                )
                services.merge(duplicate, original, person=lead, now=merged_at, notify=False)
        return counts(organisation)


def _seed_idea(
    organisation: Organisation,
    spec: Spec,
    rng: random.Random,
    pool: dict[tuple[str, str], list[Participant]],
    everyone: list[Participant],
    teams: dict[str, Team],
    staff: dict[str, Person],
    now: datetime,
) -> Idea:
    created = now - timedelta(days=spec.age_days, hours=rng.uniform(0, 10))
    authors = _pick(rng, pool, spec.segment, spec.lang) or _pick(rng, pool, spec.segment, None)
    author = rng.choice(authors or everyone)
    idea = services.submit_idea(
        organisation,
        title=spec.title,
        description=spec.description,
        author=author,
        language=spec.lang,
        team=teams.get(spec.team) if spec.team else None,
        created_at=created,
    )
    # Votes come in over the idea's life; a closed idea's before it closed.
    path = PATHS[IdeaStatus(spec.status)]
    first_answer = created + timedelta(days=spec.answer_days) if spec.answer_days else None
    closes = (
        now - timedelta(days=rng.uniform(5, 25)) if spec.status in ("done", "declined") else now
    )
    in_segment = _pick(rng, pool, spec.segment, None)
    voters: list[Participant] = []
    seen = {author.pk}
    for _n in range(spec.votes - 1):
        source = in_segment if in_segment and rng.random() < 0.75 else everyone
        for _attempt in range(5):
            candidate = rng.choice(source)
            if candidate.pk not in seen:
                seen.add(candidate.pk)
                voters.append(candidate)
                break
    span = max((closes - created).total_seconds(), 3600)
    for voter in voters:
        # Most votes come soon after the idea appears.
        moment = created + timedelta(seconds=span * rng.random() ** 1.8)
        services.vote(idea, voter, now=moment)
    # A couple of customers say why they want it.
    if spec.votes >= 15:
        talkers = [v for v in voters if v.language == spec.lang] or voters
        for voter in rng.sample(talkers, min(2, len(talkers))):
            services.add_comment(
                idea,
                text=rng.choice(CUSTOMER_COMMENTS[spec.lang]),
                participant=voter,
                now=created + timedelta(seconds=span * rng.random() ** 2),
            )
    person = staff.get(spec.team or "")
    if first_answer is None or first_answer >= now:
        return idea
    if spec.staff and person is not None:
        services.add_comment(idea, text=spec.staff, person=person, now=first_answer)
    if path:
        last = max(closes, first_answer + timedelta(days=len(path)))
        last = min(last, now - timedelta(hours=1))
        step = (last - first_answer) / max(len(path) - 1, 1)
        for index, status in enumerate(path):
            services.change_status(
                idea,
                status=status,
                reason=spec.reason if status == IdeaStatus.DECLINED else "",
                person=person,
                now=first_answer + step * index,
                notify=False,
            )
    elif not spec.staff and person is not None:
        services.add_comment(
            idea,
            text="Dank voor je idee! We kijken ernaar."
            if spec.lang == "nl"
            else "Thanks for your idea! We're looking into it.",
            person=person,
            now=first_answer,
        )
    idea.refresh_from_db()
    return idea
