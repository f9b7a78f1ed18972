"""The demo organisation's text analytics: its themes (the demo tags, with Dutch and English
keywords and owner teams), models learnt from its scores and tags, and every comment analysed."""

from __future__ import annotations

import random
import time
from datetime import datetime
from typing import Any

from django.db import transaction

from outsidein.core.models import Organisation, Team
from outsidein.text import services
from outsidein.text.models import ExampleSource, Theme, TrainingExample

THEMES = {
    "Factuur": ("facturatie", "What customers say about bills, amounts and direct debits.",
                "factuur\nrekening\nafschrijving\nincasso\nbedrag\ninvoice\nbill\ndirect debit\ncharged\nrefund"),
    "Nieuw factuursysteem": ("facturatie", "The migration to the new billing system.",
                             "nieuw factuursysteem\nnieuwe systeem\nnew billing system\nmigratie"),
    "Prijs": ("klantenservice", "Prices, tariffs and value for money.",
              "prijs\ntarief\nduur\ngoedkoop\nkosten\nprice\nexpensive\ncheap\ncost\ntariff"),
    "Bereikbaarheid": ("klantenservice", "Reaching us: phone, waiting times, answers.",
                       "wachttijd\nbereikbaar\nbellen\nklantenservice\nwachten\nwaiting\nphone\nhold\nreach\ncall"),
    "Vriendelijk personeel": ("klantenservice", "How our people treat customers.",
                              "medewerker\nvriendelijk\nbehulpzaam\npersoneel\nstaff\nfriendly\nhelpful\nemployee"),
    "App & portaal": ("product", "The app and the customer portal.",
                      "app\nportaal\ninloggen\nwebsite\nportal\nlog in\nlogin"),
    "Installatie": ("meters-installatie", "Meters, installation and technicians.",
                    "installatie\nmonteur\nmeter\nslimme meter\ninstallation\ntechnician\nengineer"),
    "Duurzaamheid": ("marketing", "Green energy and sustainability.",
                     "duurzaam\ngroen\nzonnepanelen\ngreen\nsustainable\nsolar"),
    "Verhuizen & contract": ("klantenservice", "Moving house, switching and contracts.",
                             "verhuizen\ncontract\nopzeggen\noverstappen\nmoving\nswitch\ncancel"),
    "Accountmanagement": ("accountmanagement", "Business customers and their account manager.",
                          "accountmanager\naccount manager\ncontactpersoon"),
}  # fmt: skip
EXAMPLES = 400


def seed_text_demo(
    organisation: Organisation,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    report: services.Reporter | None = None,
) -> dict[str, int]:
    """Idempotent: an organisation that already has themes is left alone. ``report`` hears
    (percent, "N comments analysed") while the comments are analysed."""
    from outsidein.voice.models import Feedback

    if Theme.objects.filter(organisation=organisation).exists():
        return {}
    started = time.perf_counter()
    rng = random.Random(seed + 7)
    teams = {team.slug: team for team in Team.objects.filter(organisation=organisation)}
    with transaction.atomic():
        for name, (team, description, keywords) in THEMES.items():
            Theme.objects.create(
                organisation=organisation,
                name=name,
                description=description,
                keywords=keywords,
                owner_team=teams.get(team),
            )
        tagged: dict[int, list[str]] = {}
        comments: dict[int, str] = {}
        through = Feedback.tags.through
        for feedback_id, name, comment in (
            through.objects.filter(feedback__organisation=organisation)
            .exclude(feedback__comment="")
            .values_list("feedback_id", "tag__name", "feedback__comment")
        ):
            if name in THEMES:
                tagged.setdefault(feedback_id, []).append(name)
                comments[feedback_id] = comment
        chosen = sorted(tagged)
        rng.shuffle(chosen)
        TrainingExample.objects.bulk_create(
            TrainingExample(
                organisation=organisation,
                feedback_id=pk,
                text=comments[pk],
                themes=sorted(tagged[pk]),
                has_themes=True,
                source=ExampleSource.UPLOAD,
            )
            for pk in chosen[:EXAMPLES]
        )
    result: dict[str, Any] = {
        "text_themes": len(THEMES),
        "text_examples": min(EXAMPLES, len(chosen)),
    }
    services.train_sentiment_models(organisation)
    services.train_theme_model(organisation)
    result["text_analysed"] = services.analyse_feedback(organisation.pk, report=report)
    # One run of theme discovery, so the themes page shows candidates to accept or drop.
    from outsidein.text.discovery import discover_themes

    result["text_candidates"] = len(discover_themes(organisation, now=now))
    result["text_seconds"] = round(time.perf_counter() - started)
    return result
