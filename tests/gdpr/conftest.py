"""One customer with a footprint in every app: the subject of the export and erasure tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from outsidein.core import services as core
from outsidein.core.models import Customer
from outsidein.voice import services as voice
from tests.conftest import Tenant
from tests.factories import SegmentFactory

NUMBER = "K4711-0815"
NAME = "Annelies Verbruggen-Testcase"
EMAIL = "annelies.verbruggen@example.org"
OLD_EMAIL = "a.verbruggen@oldmail.example"
PHONE = "+31 6 4811 2299"
COMMENTS = [
    "De monteur kwam drie keer te laat en niemand belde terug",
    "Factuur klopt niet: dubbel afgeschreven in maart",
    "Fijne service aan de balie, dank aan het team",
]


@dataclass
class Footprint:
    customer: Customer
    other: Customer
    feedback_ids: list[int]
    needles: list[str] = field(default_factory=list)


def build(tenant: Tenant) -> Footprint:
    from outsidein.ideas.models import Comment, Idea, Participant, Vote
    from outsidein.jobs.models import Job
    from outsidein.practice.models import Case, CaseNote, Contact, Decision, Evidence
    from outsidein.strategy.models import CustomerAttribute, DeclinedRequest
    from outsidein.text.models import FeedbackAnalysis, TrainingExample
    from outsidein.voice.models import Delivery, Invitation, OutboundHook

    org = tenant.organisation
    segment = SegmentFactory(organisation=org, name="Particulier")
    customer = core.create_customer(
        org,
        external_id=NUMBER,
        kind="business",
        name=NAME,
        email=OLD_EMAIL,
        phone=PHONE,
        city="Zwolle",
        segment=segment,
        consent_surveys=True,
        consent_marketing=True,
    )
    core.update_customer(customer, email=EMAIL)  # the old address is in the audit trail now
    core.add_contact_person(customer, name="Pieter Zwanenburgh", email="pieter@verbruggen.example")
    other = core.create_customer(
        org, external_id="K4711-0816", name="Someone Else", email="x@y.example"
    )
    survey = voice.create_survey(org, name="Relatie", template="nps")
    voice.open_survey(survey)
    invitation = Invitation.objects.create(
        organisation=org,
        survey=survey,
        customer=customer,
        expires_at=timezone.now() + timedelta(days=9),
    )
    response = voice.submit_response(
        survey,
        data={"nps": 3, "reason": COMMENTS[0]},
        channel="email",
        language="nl",
        invitation=invitation,
        external_id=f"sub-{NUMBER}-001",
    )
    complaint, _ = voice.record_feedback(
        org,
        kind="complaint",
        channel="phone",
        customer=customer,
        comment=COMMENTS[1],
        subject=f"Klacht {NUMBER}",
        external_id=f"{NUMBER}-ticket-9",
        nps=1,
    )
    note, _ = voice.record_feedback(
        org,
        kind="note",
        channel="visit",
        customer=customer,
        author=tenant.employee,
        comment=COMMENTS[2],
        csat=5,
    )
    voice.record_feedback(
        org,
        kind="complaint",
        channel="phone",
        customer=other,
        comment="Other words entirely",
        nps=9,
    )
    ids = [response.pk, complaint.pk, note.pk]
    case = Case.objects.filter(feedback=complaint).first() or Case.objects.create(
        organisation=org,
        kind="complaint",
        subject=f"Klacht van {NAME}",
        channel="phone",
        customer=customer,
        feedback=complaint,
    )
    CaseNote.objects.create(
        organisation=org,
        case=case,
        author=tenant.manager,
        kind="note",
        text=f"Gebeld met {NAME} op {PHONE}: {COMMENTS[1]}",
    )
    Contact.objects.create(
        organisation=org,
        person=tenant.employee,
        kind="visit",
        customer=customer,
        learned=COMMENTS[2],
    )
    decision = Decision.objects.create(
        organisation=org, title="Monteurs plannen", owner=tenant.manager
    )
    Evidence.objects.create(
        organisation=org,
        decision=decision,
        kind="feedback",
        ref_id=response.pk,
        label=f"{NAME}: {COMMENTS[0]}",
        note=f"Zie ook {EMAIL}",
    )
    participant = Participant.objects.create(
        organisation=org, email=EMAIL, name=NAME, customer=customer
    )
    idea = Idea.objects.create(
        organisation=org,
        title="Monteur belt vooraf aan",
        author=participant,
        description=f"Voorstel van {NAME}: laat de monteur een uur vooraf bellen",
    )
    Vote.objects.create(organisation=org, idea=idea, participant=participant)
    Comment.objects.create(
        organisation=org,
        idea=idea,
        participant=participant,
        text="Dat zou mij heel veel wachten besparen, groet Annelies",
    )
    FeedbackAnalysis.objects.update_or_create(
        feedback=response,
        defaults={
            "organisation": org,
            "language": "nl",
            "sentiment": "negative",
            "themes": ["punctuality"],
            "sentences": [{"text": COMMENTS[0], "score": -0.8, "themes": {"punctuality": 1}}],
        },
    )
    TrainingExample.objects.create(
        organisation=org,
        feedback=response,
        text=COMMENTS[0],
        language="nl",
        sentiment="negative",
        themes=["punctuality"],
        source="correction",
    )
    hook = OutboundHook.objects.create(organisation=org, url="https://hooks.example.com/x")
    Delivery.objects.create(
        organisation=org,
        hook=hook,
        message_id="msg_gdpr_1",
        event="feedback.created",
        payload={
            "type": "feedback.created",
            "data": {"id": complaint.pk, "comment": COMMENTS[1], "customer_external_id": NUMBER},
        },
    )
    Job.objects.create(
        organisation=org,
        kind="feedback.import",
        title="Import",
        log=f"row 7: {EMAIL} rejected",
        result={"rejected": [{"row": 7, "value": PHONE}]},
    )
    CustomerAttribute.objects.create(
        organisation=org, customer=customer, key="contract", value=f"C-{NUMBER}"
    )
    DeclinedRequest.objects.create(
        organisation=org,
        request=f"{NAME} wil 24/7 service",
        customer=customer,
        reason="Past niet bij ons segment",
        decided_by=tenant.manager,
        decided_on=timezone.localdate(),
        source="feedback",
    )
    return Footprint(
        customer=customer,
        other=other,
        feedback_ids=ids,
        needles=[
            NAME,
            EMAIL,
            OLD_EMAIL,
            PHONE,
            NUMBER,
            *COMMENTS,
            "Pieter Zwanenburgh",
            "pieter@verbruggen.example",
        ],
    )


@pytest.fixture
def footprint(tenant: Tenant) -> Footprint:
    return build(tenant)


def rollup_rows() -> list[tuple[Any, ...]]:
    from outsidein.analytics.models import DailyRollup, MonthlyRollup

    rows: list[tuple[Any, ...]] = []
    for model in (DailyRollup, MonthlyRollup):
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("id", "updated_at", "created_at")
        ]
        rows += sorted(tuple(r) for r in model.objects.values_list(*fields))
    return rows
