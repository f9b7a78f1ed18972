"""The practice part of the demo organisation (Polderstroom): a year of the norms at work.

``seed_practice_demo`` runs after the voice demo. Deterministic (one seeded ``random.Random``)
and idempotent (does nothing once the organisation has customer items). The story:

* questions, complaints and unhappy responses of the last twelve months are in the queue,
  routed by cause (billing to Facturatie, fitters to Meters & installatie, the app to Product);
* Klantenservice answers fast; Facturatie drowns in the two months after the new billing
  system went live (many breaches, loops left open), and recovers; Product is slow throughout;
* contact coverage rises over the year as the norm takes hold; customer-facing teams are near
  100%, IT and Finance lag behind;
* the decision register: most decisions cite customer evidence, IT's mostly do not; structural
  fixes from follow-ups arrive as proposals.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from outsidein.core.models import Customer, Organisation, Person, Team
from outsidein.practice import services
from outsidein.practice.models import (
    Case,
    CaseKind,
    CaseNote,
    CaseNoteKind,
    CaseStatus,
    Contact,
    ContactKind,
    Decision,
    DecisionStatus,
    Evidence,
    Loop,
    Priority,
    RootCause,
    RoutingRule,
    Scope,
    ServiceTarget,
)
from outsidein.voice.demo import billing_go_live
from outsidein.voice.models import Channel, Feedback, FeedbackKind, Survey, Tag

# tag → (team slug, root cause)
CAUSES = {
    "Factuur": ("facturatie", "Billing"),
    "Nieuw factuursysteem": ("facturatie", "Billing"),
    "Installatie": ("meters-installatie", "Delivery"),
    "App & portaal": ("product", "Website and app"),
    "Bereikbaarheid": ("klantenservice", "Communication"),
    "Prijs": ("marketing", "Product"),
    "Verhuizen & contract": ("klantenservice", "Process"),
    "Accountmanagement": ("accountmanagement", "Communication"),
    "Vriendelijk personeel": ("klantenservice", "Staff attitude"),
}
RULES = [
    ("Facturen en betalingen", "Factuur", "factu*, nota*, termijn*, incasso*, afschrijving*, invoice*, bill*", "facturatie"),
    ("Nieuw factuursysteem", "Nieuw factuursysteem", "", "facturatie"),
    ("Monteurs en meters", "Installatie", "monteur*, meter*, laadpa*, zonnepane*, installer*", "meters-installatie"),
    ("App en klantportaal", "App & portaal", "app, portaal, inloggen, website", "product"),
    ("Zakelijke klanten", "Accountmanagement", "accountmanager", "accountmanagement"),
]  # fmt: skip
# Median hours to the first response and the share of loops a team closes, per team.
PACE = {
    "klantenservice": (4.0, 0.97),
    "facturatie": (18.0, 0.9),
    "meters-installatie": (10.0, 0.93),
    "product": (50.0, 0.7),
    "klantbeleving": (14.0, 0.92),
    "accountmanagement": (8.0, 0.95),
    "marketing": (30.0, 0.8),
}
RESPONSES = [
    "Klant gebeld, excuses aangeboden en uitgelegd wat er misging.",
    "Teruggebeld: de klant was vooral boos over het lange wachten.",
    "Gemaild met uitleg en een nieuwe afspraak voorgesteld.",
    "Klant gesproken; correctie doorgevoerd en bevestigd per mail.",
    "Voicemail ingesproken, daarna per mail contact gehad.",
    "Uitgebreid gesprek gehad; klant waardeert dat we terugbellen.",
]
LEARNED = {
    "Billing": [
        "Het termijnbedrag was verkeerd berekend na de overstap naar het nieuwe systeem.",
        "De klant kreeg twee incasso's in één maand en kon niet bij ons terecht.",
        "Onze nota is onleesbaar: de klant snapt niet wat het verbruik en wat de vaste kosten zijn.",
    ],
    "Delivery": [
        "De monteur kwam buiten het afgesproken tijdvak en belde niet vooraf.",
        "De klant moest drie keer een afspraak maken voor één slimme meter.",
    ],
    "Website and app": [
        "Inloggen in de app mislukt na de update; de klant zag zijn verbruik niet meer.",
        "Het klantportaal toont de meterstanden pas na dagen.",
    ],
    "Communication": [
        "De klant werd drie keer doorverbonden en moest steeds opnieuw zijn verhaal doen.",
        "We beloofden terug te bellen en deden het niet.",
    ],
    "Process": [
        "Verhuizen doorgeven kost de klant te veel stappen en formulieren.",
        "Het opzeggen van het contract duurde weken door handmatige controles.",
    ],
    "Product": ["De klant vindt het vaste tarief te hoog vergeleken met de concurrent."],
    "Staff attitude": ["De klant voelde zich niet serieus genomen aan de telefoon."],
}
CONTACT_LEARNINGS = [
    "Klanten lezen de jaarnota niet; ze kijken alleen naar het bedrag onderaan.",
    "Ondernemers willen één vast aanspreekpunt, geen wisselende medewerkers.",
    "De klant wist niet dat hij zijn termijnbedrag zelf in de app kan aanpassen.",
    "Bij een storing willen klanten vooral weten hoe lang het duurt.",
    "Coöperatieleden vragen om maandelijks inzicht in hun eigen opwek.",
    "Oudere klanten missen een papieren overzicht van hun verbruik.",
    "Klanten waarderen het als de monteur vooraf een berichtje stuurt.",
    "De wachtmuziek irriteert meer dan de wachttijd zelf.",
    "Een MKB-klant wil de nota per vestiging kunnen splitsen.",
    "Klanten begrijpen het verschil tussen netbeheerder en leverancier niet.",
    "Mensen willen bij verhuizen alles in één keer regelen, ook de meterstanden.",
    "De klant wilde meedenken over de nieuwe app en bood zich aan als testgebruiker.",
]
DECISIONS: list[dict[str, Any]] = [
    {"title": "Monteursafspraken in tijdvakken van twee uur", "team": "meters-installatie", "months_ago": 11, "tags": ["Installatie"], "survey": True},
    {"title": "Chat op werkdagen open tot 21:00", "team": "klantenservice", "months_ago": 10, "tags": ["Bereikbaarheid"], "contacts": 2},
    {"title": "Jaarnota opnieuw vormgegeven: het bedrag en de uitleg bovenaan", "team": "facturatie", "months_ago": 9, "tags": ["Factuur"], "feedback": 3},
    {"title": "Overstap naar een nieuw CRM-pakket", "team": "it", "months_ago": 9, "reason": "De leverancier stopt met de ondersteuning van het oude systeem; een technische noodzaak."},
    {"title": "Nieuwe huisstijl voor de website", "team": "marketing", "months_ago": 8, "reason": "Besluit van de directie over de merkstrategie."},
    {"title": "Terugbelbelofte: binnen vier uur terug, anders een bericht", "team": "klantenservice", "months_ago": 8, "feedback": 4, "contacts": 1},
    {"title": "Vast aanspreekpunt voor MKB-klanten boven 50.000 kWh", "team": "accountmanagement", "months_ago": 7, "contacts": 2, "tags": ["Accountmanagement"]},
    {"title": "Serverpark naar de cloud", "team": "it", "months_ago": 7, "reason": "Kostenbesparing; klanten merken er niets van."},
    {"title": "Verbruiksgrafiek per dag in de app", "team": "product", "months_ago": 6, "tags": ["App & portaal"], "feedback": 2},
    {"title": "Nieuw factuursysteem live", "team": "it", "months_ago": 3, "reason": "Het oude systeem was niet meer te onderhouden; planning bepaald door de leverancier."},
    {"title": "Dubbele incasso's automatisch terugstorten", "team": "facturatie", "months_ago": 2, "tags": ["Nieuw factuursysteem"], "feedback": 5},
    {"title": "Extra bezetting klantenservice tijdens de facturatieproblemen", "team": "klantenservice", "months_ago": 2, "tags": ["Bereikbaarheid", "Nieuw factuursysteem"]},
    {"title": "Coulanceregeling voor getroffen klanten", "team": "facturatie", "months_ago": 2, "feedback": 3, "contacts": 1},
    {"title": "Releaseproces met vaste testmomenten", "team": "it", "months_ago": 1, "reason": "Interne kwaliteitsafspraak na de problemen met het factuursysteem."},
    {"title": "Klantpanel voor de nieuwe app", "team": "product", "months_ago": 1, "contacts": 2, "feedback": 1},
    {"title": "Tarieven 2027", "team": "finance", "months_ago": 0, "reason": "Volgt uit de inkoopprijzen en de regulering."},
    {"title": "Monteur stuurt een bericht een half uur vooraf", "team": "meters-installatie", "months_ago": 0, "contacts": 1, "tags": ["Installatie"]},
    {"title": "Verhuisformulier in één stap", "team": "klantenservice", "months_ago": 0, "status": "proposed", "tags": ["Verhuizen & contract"]},
]  # fmt: skip


def _hours(rng: random.Random, median: float) -> float:
    return max(0.2, rng.lognormvariate(0, 0.9) * median)


def seed_practice_demo(
    organisation: Organisation, *, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    if Case.objects.filter(organisation=organisation).exists():
        return {}
    now = now or timezone.now()
    rng = random.Random(seed + 4)
    with transaction.atomic():
        teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
        tags = {tag.name: tag for tag in Tag.objects.filter(organisation=organisation)}
        services.update_settings(organisation, default_team=teams.get("klantenservice"))
        services.ensure_root_causes(organisation)
        # Created in the order of DEFAULT_ROOT_CAUSES, named in the organisation's language.
        created = RootCause.objects.filter(organisation=organisation).order_by("pk")
        causes = dict(zip(services.DEFAULT_ROOT_CAUSES, created, strict=False))
        _targets(organisation)
        _rules(organisation, teams, tags)
        customer_ids = list(
            Customer.objects.filter(organisation=organisation)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Customer.objects.filter(pk__in=customer_ids[::3]).update(consent_updates=True)
        # The staff worked here all year, so last year's coverage counts them.
        Person.objects.filter(organisation=organisation).update(
            created_at=now - timedelta(days=400)
        )
        cases = _cases(organisation, rng, now, teams, causes)
        contacts = _contacts(organisation, rng, now, customer_ids)
        decisions = _decisions(organisation, rng, now, teams, tags)
    return {"cases": cases, "contacts": contacts, "decisions": decisions}


def _targets(organisation: Organisation) -> None:
    for channel, priority, first, resolve in (
        (Channel.PHONE, Priority.NORMAL, 4, 48),
        (Channel.EMAIL, Priority.NORMAL, 24, 72),
        ("", Priority.HIGH, 8, 48),
        ("", Priority.NORMAL, 24, 120),
    ):
        ServiceTarget.objects.create(
            organisation=organisation,
            channel=channel,
            priority=priority,
            first_response_hours=first,
            resolution_hours=resolve,
        )


def _rules(organisation: Organisation, teams: dict[str, Team], tags: dict[str, Tag]) -> None:
    for position, (name, tag, keywords, team) in enumerate(RULES, start=1):
        if team not in teams:
            continue
        RoutingRule.objects.create(
            organisation=organisation,
            position=position * 10,
            name=name,
            tag=tags.get(tag),
            keywords=keywords if tag not in tags else "",
            team=teams[team],
        )


def _cases(
    organisation: Organisation,
    rng: random.Random,
    now: datetime,
    teams: dict[str, Team],
    causes: dict[str, RootCause],
) -> int:
    rules = services.settings_for(organisation)
    since = now - timedelta(days=365)
    go_live = billing_go_live(now)
    problem_end = date(go_live.year + go_live.month // 12, go_live.month % 12 + 1, 28)
    team_slugs = {team.pk: slug for slug, team in teams.items()}
    people_by_team: dict[int, list[int]] = defaultdict(list)
    for pk, member_of in Person.objects.filter(
        organisation=organisation, is_active=True
    ).values_list("pk", "team_id"):
        if member_of:
            people_by_team[member_of].append(pk)
    route_rules = list(RoutingRule.objects.filter(organisation=organisation, is_active=True))
    items = (
        Feedback.objects.filter(organisation=organisation, submitted_at__gte=since)
        .select_related("customer", "segment")
        .prefetch_related("tags")
        .order_by("submitted_at", "pk")
    )
    target_cache: dict[tuple[str, str], tuple[int, int]] = {}
    new_cases: list[Case] = []
    plans: list[dict[str, Any]] = []
    for item in items.iterator(chunk_size=2000):
        if item.kind == FeedbackKind.QUESTION:
            kind, reason = CaseKind.QUESTION, "Vraag"
        elif item.kind == FeedbackKind.COMPLAINT:
            kind, reason = CaseKind.COMPLAINT, "Klacht"
        else:
            found = services.follow_up_reason(item, rules)
            if found is None:
                continue
            kind, reason = CaseKind.FOLLOW_UP, str(found)
        tag_names = [tag.name for tag in item.tags.all()]
        team_id: int | None = None
        rule = None
        for candidate in route_rules:
            if services.rule_matches(
                candidate,
                kind=kind,
                channel=item.channel,
                survey_id=item.survey_id,
                tag_ids=[tag.pk for tag in item.tags.all()],
                text=f"{item.subject} {item.comment}",
            ):
                team_id, rule = candidate.team_id, candidate
                break
        team_id = team_id or item.team_id or rules.default_team_id
        priority = (
            Priority.HIGH
            if kind == CaseKind.COMPLAINT and item.segment and item.segment.name == "Zakelijk groot"
            else Priority.NORMAL
        )
        key = (item.channel, priority)
        if key not in target_cache:
            target_cache[key] = services.target_hours(organisation.pk, item.channel, priority)
        first_h, resolve_h = target_cache[key]
        if kind == CaseKind.FOLLOW_UP:
            first_h, resolve_h = rules.follow_up_hours, max(resolve_h, rules.follow_up_hours)
        opened = item.submitted_at
        subject = services._subject_for(item, reason)
        case = Case(
            organisation=organisation,
            kind=kind,
            subject=subject[:200],
            channel=item.channel,
            priority=priority,
            feedback=item,
            customer=item.customer,
            team_id=team_id,
            routing_rule=rule,
            routing_reason=(
                f"Routeringsregel “{rule.name}”" if rule else "Het team van de enquête of het item"
            )[:200],
            opened_at=opened,
            first_response_due=opened + timedelta(hours=first_h),
            resolution_due=opened + timedelta(hours=resolve_h),
            created_at=opened,
        )
        slug = team_slugs.get(team_id or 0, "klantenservice")
        median, closes = PACE.get(slug, (20.0, 0.9))
        day = timezone.localtime(opened).date()
        if slug == "facturatie" and go_live <= day <= problem_end:
            median, closes = median * 3.5, 0.75
        first_at = opened + timedelta(hours=_hours(rng, median))
        cause_key = next((CAUSES[name][1] for name in tag_names if name in CAUSES), "Communication")
        plan: dict[str, Any] = {"case": case, "cause": cause_key}
        if first_at < now:
            case.first_response_at = first_at
            owners = people_by_team.get(team_id or 0) or [
                pk for pks in people_by_team.values() for pk in pks
            ]
            case.owner_id = rng.choice(owners)
            closed_at = first_at + timedelta(
                hours=_hours(rng, 20 if kind != CaseKind.QUESTION else 2)
            )
            if closed_at < now and rng.random() < closes:
                case.status = CaseStatus.CLOSED
                case.closed_at = closed_at
                if kind != CaseKind.QUESTION:
                    case.root_cause = causes.get(cause_key)
                    case.learned = rng.choice(LEARNED.get(cause_key, LEARNED["Communication"]))
                    outer = 0.35 if cause_key == "Billing" and go_live <= day else 0.12
                    case.loop = Loop.OUTER if rng.random() < outer else Loop.INNER
                    if case.customer and case.customer.email and rng.random() < 0.4:
                        case.solved_asked_at = closed_at
                        if rng.random() < 0.6:
                            case.customer_says_solved = rng.random() < 0.8
                            case.customer_answered_at = closed_at + timedelta(
                                hours=rng.uniform(1, 48)
                            )
            elif closed_at < now - timedelta(days=90):
                # Old loops were closed in the end, weeks late.
                case.status = CaseStatus.CLOSED
                case.closed_at = closed_at + timedelta(days=rng.uniform(10, 40))
                if kind != CaseKind.QUESTION:
                    case.root_cause = causes.get(cause_key)
                    case.learned = rng.choice(LEARNED.get(cause_key, LEARNED["Communication"]))
                    case.loop = Loop.INNER
            elif rng.random() < 0.3:
                case.status = CaseStatus.WAITING
                case.waiting_since = first_at
        new_cases.append(case)
        plans.append(plan)
    # The history was announced when it happened: only new breaches are emailed from now on.
    for case in new_cases:
        if case.is_breached(now):
            case.breach_alerted_at = now
    Case.objects.bulk_create(new_cases, batch_size=1000)
    notes = []
    for case in new_cases:
        if case.first_response_at:
            notes.append(
                CaseNote(
                    organisation=organisation,
                    case=case,
                    author_id=case.owner_id,
                    kind=CaseNoteKind.RESPONSE,
                    text=rng.choice(RESPONSES),
                    created_at=case.first_response_at,
                )
            )
        if case.closed_at:
            notes.append(
                CaseNote(
                    organisation=organisation,
                    case=case,
                    author_id=case.owner_id,
                    kind=CaseNoteKind.EVENT,
                    text="Gesloten.",
                    created_at=case.closed_at,
                )
            )
    CaseNote.objects.bulk_create(notes, batch_size=2000)
    _structural_proposals(organisation, rng, now, new_cases, teams)
    return len(new_cases)


def _structural_proposals(
    organisation: Organisation,
    rng: random.Random,
    now: datetime,
    cases: list[Case],
    teams: dict[str, Team],
) -> None:
    """Outer-loop causes become one proposal per root cause and quarter; the older ones taken."""
    groups: dict[tuple[int, str], list[Case]] = defaultdict(list)
    for case in cases:
        if case.loop == Loop.OUTER and case.root_cause_id and case.closed_at:
            local = timezone.localtime(case.closed_at).date()
            groups[(case.root_cause_id, f"{local.year}-Q{(local.month - 1) // 3 + 1}")].append(case)
    for (_cause_id, quarter), members in sorted(groups.items(), key=lambda kv: kv[0][1]):
        if len(members) < 12:
            continue
        first = members[0]
        cause = first.root_cause
        last_day = max(timezone.localtime(c.closed_at).date() for c in members if c.closed_at)  # type: ignore[arg-type]
        taken = (timezone.localtime(now).date() - last_day).days > 45
        decision = Decision.objects.create(
            organisation=organisation,
            title=f"Structurele oplossing: {cause.name if cause else first.subject} ({quarter})"[
                :200
            ],
            description=f"{len(members)} opgevolgde klanten wezen op dezelfde oorzaak. Bijvoorbeeld: {first.learned}",
            team_id=first.team_id,
            owner_id=first.owner_id,
            status=DecisionStatus.TAKEN if taken else DecisionStatus.PROPOSED,
            decided_on=last_day + timedelta(days=30) if taken else None,
            scope=Scope.DEPARTMENT,
        )
        Evidence.objects.bulk_create(
            [
                Evidence(
                    organisation=organisation,
                    decision=decision,
                    kind="feedback",
                    ref_id=case.feedback_id,
                    label=case.subject[:300],
                )
                for case in members[:8]
                if case.feedback_id
            ]
        )
        Case.objects.filter(pk__in=[c.pk for c in members]).update(decision=decision)


def _contacts(
    organisation: Organisation, rng: random.Random, now: datetime, customer_ids: list[int]
) -> int:
    today = timezone.localtime(now).date()
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True).select_related("team")
    )
    lagging = {"it", "finance", "hr"}
    rows = []
    for months_ago in range(12, -1, -1):
        year, month = today.year, today.month - months_ago
        while month < 1:
            year, month = year - 1, month + 12
        first = date(year, month, 1)
        last = (
            today
            if months_ago == 0
            else (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        )
        progress = (12 - months_ago) / 12  # the norm takes hold over the year
        for person in people:
            slug = person.team.slug if person.team else ""
            if person.customer_facing:
                chance = 0.9 + 0.08 * progress
            elif slug in lagging:
                chance = 0.12 + 0.2 * progress
            else:
                chance = 0.3 + 0.45 * progress
            if months_ago == 0:
                chance *= min(1.0, today.day / 20)
            if rng.random() >= chance:
                continue
            for _ in range(1 + (rng.random() < 0.3)):
                if person.customer_facing:
                    kind = rng.choice(
                        [ContactKind.CALL, ContactKind.VISIT, ContactKind.SUPPORT_SHIFT]
                    )
                else:
                    kind = rng.choice(
                        [
                            ContactKind.SUPPORT_SHIFT,
                            ContactKind.SUPPORT_SHIFT,
                            ContactKind.INTERVIEW,
                            ContactKind.EVENT,
                            ContactKind.CO_CREATION,
                            ContactKind.VISIT,
                        ]
                    )
                day = first + timedelta(days=rng.randrange(max(1, (last - first).days + 1)))
                rows.append(
                    Contact(
                        organisation=organisation,
                        person=person,
                        team=person.team,
                        customer_facing=person.customer_facing,
                        kind=kind,
                        customer_id=None if kind == ContactKind.EVENT else rng.choice(customer_ids),
                        happened_on=day,
                        learned=rng.choice(CONTACT_LEARNINGS) if rng.random() < 0.7 else "",
                        created_at=timezone.make_aware(datetime.combine(day, datetime.min.time())),
                    )
                )
    Contact.objects.bulk_create(rows, batch_size=1000)
    # A few learnings went to the inbox, through the service so the rollups stay in step.
    for contact in (
        Contact.objects.filter(organisation=organisation)
        .exclude(learned="")
        .order_by("-happened_on")[:12]
    ):
        services.send_contact_to_inbox(contact)
    return len(rows)


def _decisions(
    organisation: Organisation,
    rng: random.Random,
    now: datetime,
    teams: dict[str, Team],
    tags: dict[str, Tag],
) -> int:
    today = timezone.localtime(now).date()
    managers = {
        person.team_id: person
        for person in Person.objects.filter(organisation=organisation, role="manager")
    }
    surveys = list(Survey.objects.filter(organisation=organisation).order_by("pk"))
    contact_ids = list(
        Contact.objects.filter(organisation=organisation)
        .exclude(learned="")
        .values_list("pk", flat=True)
    )
    count = 0
    for spec in DECISIONS:
        team = teams.get(spec["team"])
        day = today - timedelta(days=30 * spec["months_ago"] + rng.randrange(0, 20))
        status = spec.get("status", DecisionStatus.TAKEN)
        decision = Decision.objects.create(
            organisation=organisation,
            title=spec["title"],
            description="",
            team=team,
            owner=managers.get(team.pk) if team else None,
            status=status,
            decided_on=None if status == DecisionStatus.PROPOSED else day,
            scope=Scope.ORGANISATION if spec["team"] in ("it", "finance") else Scope.TEAM,
            without_customer_input=bool(spec.get("reason")),
            no_input_reason=spec.get("reason", ""),
            created_at=timezone.make_aware(datetime.combine(day, datetime.min.time())),
        )
        refs: list[tuple[str, int]] = []
        for name in spec.get("tags", []):
            if name in tags:
                refs.append(("tag", tags[name].pk))
        if spec.get("survey") and surveys:
            refs.append(("survey", surveys[-1].pk))
        if spec.get("feedback"):
            pool: list[int] = list(
                Feedback.objects.filter(
                    organisation=organisation,
                    kind__in=[FeedbackKind.COMPLAINT, FeedbackKind.RESPONSE],
                    team=team,
                    submitted_at__date__lte=day,
                )
                .exclude(comment="")
                .values_list("pk", flat=True)[:200]
            )
            refs += [("feedback", pk) for pk in rng.sample(pool, min(len(pool), spec["feedback"]))]
        if spec.get("contacts") and contact_ids:
            refs += [("contact", pk) for pk in rng.sample(contact_ids, spec["contacts"])]
        for kind, ref_id in refs:
            services.add_evidence(decision, kind=kind, ref_id=ref_id)
        count += 1
    return count
