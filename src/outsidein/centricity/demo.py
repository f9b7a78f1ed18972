"""The mirror survey part of the demo organisation (Polderstroom Energie B.V.).

``seed_centricity_demo`` gives the demo three waves of the mirror survey over the last year,
answered by employees (anonymously, per team) and by customers (through each wave's voice
survey, recorded with ``voice.services.bulk_record`` so the rollups stay right). It uses one
seeded ``random.Random`` and does nothing once the organisation has waves.

The story the gap page tells:

* employees are rosier than customers in every dimension, most in responsiveness and keeping
  promises (the front line believes it answers fast and keeps its word; customers disagree);
* two to three in four employees say Polderstroom delivers a better experience than others;
  fewer than one in ten customers agree (Bain's delivery gap, in Dutch);
* in the wave during the billing trouble (see ``voice.demo.billing_go_live``) customers mark
  responsiveness and promises down sharply; the latest wave, still open, recovers a little;
* Klantenservice and Facturatie have enough answers for team results; Accountmanagement and
  Marketing have fewer than five, so the page explains why it shows nothing; Finance and HR
  serve no customer segment;
* one customer statement ("talks about real customers like me") goes poorly with the rest of
  its dimension and is flagged on the reliability page.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from outsidein.centricity import services
from outsidein.centricity.models import EmployeeResponse, Wave
from outsidein.core.models import Customer, Organisation, Person, Segment, Team
from outsidein.voice.models import Channel, FeedbackKind
from outsidein.voice.services import FeedbackRow, bulk_record

SERVES = {
    "klantenservice": ["Huishoudens", "MKB"],
    "facturatie": ["Huishoudens", "MKB", "Zakelijk groot", "Energiecoöperaties"],
    "accountmanagement": ["MKB", "Zakelijk groot", "Energiecoöperaties"],
    "meters-installatie": ["Huishoudens", "MKB"],
    "marketing": ["Huishoudens", "MKB"],
    "product": ["Huishoudens"],
}
# Share of each team's people who answer; in two teams at most a few do, too few for results.
TURNOUT = 0.8
AT_MOST = {"accountmanagement": 4, "marketing": 3}

EMPLOYEE_MEAN = {
    "knowing": 5.3,
    "responsiveness": 5.9,
    "promises": 5.8,
    "involving": 4.6,
    "everyone": 4.8,
    "leadership": 5.1,
}
CUSTOMER_MEAN = {
    "knowing": 4.6,
    "responsiveness": 4.3,
    "promises": 4.4,
    "involving": 4.0,
    "everyone": 4.3,
    "leadership": 4.4,
}
# Per wave: customers' shift per dimension (the billing wave hurts responsiveness and promises).
CUSTOMER_SHIFT = [
    {},
    {"responsiveness": -0.7, "promises": -0.9, "knowing": -0.2},
    {"responsiveness": -0.3, "promises": -0.3},
]
EMPLOYEE_SHIFT = [{}, {"promises": -0.3}, {}]
CUSTOMERS_PER_WAVE = 140
NOISY_CUSTOMER_ITEM = "lead-stories"


def counts(organisation: Organisation) -> dict[str, int]:
    from outsidein.voice.models import Feedback

    waves = Wave.objects.filter(organisation=organisation)
    return {
        "mirror_waves": waves.count(),
        "mirror_employee_answers": EmployeeResponse.objects.filter(
            organisation=organisation
        ).count(),
        "mirror_customer_answers": Feedback.objects.filter(
            organisation=organisation, survey__mirror_wave__in=waves
        ).count(),
    }


def _answer(rng: random.Random, centre: float, spread: float = 0.9) -> int:
    return max(1, min(7, round(rng.gauss(centre, spread))))


def _answers(
    rng: random.Random,
    items: list[dict[str, str]],
    means: dict[str, float],
    shift: dict[str, float],
    *,
    superior_centre: float,
    noisy: str = "",
    person_sd: float = 0.75,
) -> dict[str, int]:
    person = rng.gauss(0.0, person_sd)  # how positive this person is overall
    out: dict[str, int] = {}
    for item in items:
        key, dimension = item["key"], item["dimension"]
        if not dimension:
            out[key] = _answer(rng, superior_centre + person, 1.0)
            continue
        if rng.random() < 0.04:
            continue  # skipped: cannot judge
        if key == noisy:
            out[key] = rng.randint(2, 6)
            continue
        own = means[dimension] + shift.get(dimension, 0.0) + person
        out[key] = _answer(rng, own, 0.7)
    return out


def seed_centricity_demo(
    organisation: Organisation, *, seed: int, now: datetime | None = None
) -> dict[str, int]:
    """Three waves of the mirror survey for the demo organisation, once; returns the counts."""
    from outsidein.voice.demo import billing_go_live

    now = now or timezone.now()
    with transaction.atomic():
        if Wave.objects.filter(organisation=organisation).exists():
            return counts(organisation)
        rng = random.Random(seed * 7919 + 11)
        services.ensure_items(organisation)
        teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
        segments = {s.name: s for s in Segment.objects.filter(organisation=organisation)}
        for slug, names in SERVES.items():
            if slug in teams:
                services.set_served_segments(
                    teams[slug], [segments[n] for n in names if n in segments]
                )
        go_live = billing_go_live(now)
        tz = timezone.get_current_timezone()
        billing_open = datetime(go_live.year, go_live.month, 20, 9, 0, tzinfo=tz)
        starts = [now - timedelta(days=330), billing_open, now - timedelta(days=9)]
        names = ["Nulmeting", "Tweede meting", "Derde meting"]
        people = list(
            Person.objects.filter(organisation=organisation, is_active=True)
            .exclude(team=None)
            .select_related("team")
            .order_by("pk")
        )
        customers = list(
            Customer.objects.filter(organisation=organisation, consent_surveys=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("pk", "segment_id", "language")
        )
        for index, (start, name) in enumerate(zip(starts, names, strict=True)):
            start = start.replace(minute=0, second=0, microsecond=0)
            closes = start + timedelta(days=21)
            wave = services.create_wave(
                organisation,
                name=f"{name} {timezone.localtime(start):%Y-%m}",
                opens_at=start,
                closes_at=closes,
            )
            wave = services.open_wave(wave, now=start)
            items = services.wave_items(wave)
            responses = []
            answered: dict[str, int] = {}
            for person in people:
                slug = person.team.slug if person.team else ""
                if rng.random() >= TURNOUT or answered.get(slug, 0) >= AT_MOST.get(slug, 999):
                    continue
                answered[slug] = answered.get(slug, 0) + 1
                answers = _answers(
                    rng,
                    items,
                    EMPLOYEE_MEAN,
                    EMPLOYEE_SHIFT[index],
                    superior_centre=6.5 - (0.3 if index == 1 else 0.0),
                )
                responses.append(
                    EmployeeResponse(
                        organisation=organisation,
                        wave=wave,
                        team_id=person.team_id,
                        answers=answers,
                    )
                )
            EmployeeResponse.objects.bulk_create(responses)
            rows = []
            sample = rng.sample(customers, min(CUSTOMERS_PER_WAVE, len(customers)))
            end = min(closes, now)
            for number, (customer_id, segment_id, language) in enumerate(sample):
                answers = _answers(
                    rng,
                    items,
                    CUSTOMER_MEAN,
                    CUSTOMER_SHIFT[index],
                    superior_centre=3.9 - (0.5 if index == 1 else 0.0),
                    noisy=NOISY_CUSTOMER_ITEM,
                    person_sd=1.0,  # customers differ more among themselves than colleagues
                )
                moment = start + (end - start) * rng.random()
                rows.append(
                    FeedbackRow(
                        kind=FeedbackKind.RESPONSE,
                        channel=Channel.EMAIL,
                        language=language or "nl",
                        submitted_at=moment,
                        external_id=f"demo-mirror-{index + 1}-{number}",
                        survey_id=wave.survey_id,
                        customer_id=customer_id,
                        segment_id=segment_id,
                        answers=answers,
                    )
                )
            bulk_record(organisation, rows)
            if closes <= now:
                services.close_wave(wave)
        return counts(organisation)


# --- the customer-centricity index -----------------------------------------------------------------

DEMO_REWARDS = {"contacts": None, "queue": None, "loop": None, "nps": 20.0}
"""What Polderstroom rewards its teams on: the norms, and NPS (which the page warns about: the
teams send some of their own surveys)."""


def seed_index_demo(
    organisation: Organisation, *, seed: int = 2026, now: datetime | None = None
) -> dict[str, int]:
    """The index settings of the demo organisation, once: the default targets and equal pillar
    weights, and the reward indicators of the team scorecards. ``seed`` and ``now`` are taken
    for a uniform demo interface; nothing here is random or dated."""
    from outsidein.centricity import indicators
    from outsidein.centricity.models import IndexSettings, IndicatorSetting

    with transaction.atomic():
        if not IndexSettings.objects.filter(organisation=organisation).exists():
            indicators.save_settings(
                organisation,
                pillar_weights=dict(indicators.DEFAULT_PILLAR_WEIGHTS),
                indicators={},
            )
            indicators.save_rewards(organisation, DEMO_REWARDS)
    return {
        "index_settings": IndexSettings.objects.filter(organisation=organisation).count(),
        "reward_indicators": IndicatorSetting.objects.filter(
            organisation=organisation, reward=True
        ).count(),
    }
