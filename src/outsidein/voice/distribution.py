"""Getting surveys to customers: personal invitations (signed, expiring, one response each)
with one reminder, the contact-frequency rule, consent and unsubscribe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein.core.models import Customer
from outsidein.voice.models import Invitation, InvitationStatus, Survey

INVITATION_SALT = "outsidein.voice.invitation"
UNSUBSCRIBE_SALT = "outsidein.voice.unsubscribe"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_for_token(token: str, now: datetime | None = None) -> Invitation | None:
    """The invitation behind a signed link, or None when forged or expired."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    invitation = (
        Invitation.objects.select_related("survey__organisation", "customer").filter(pk=pk).first()
    )
    if invitation is None or invitation.expires_at <= (now or timezone.now()):
        return None
    return invitation


def unsubscribe_token(customer: Customer) -> str:
    return signing.dumps(customer.pk, salt=UNSUBSCRIBE_SALT)


def customer_for_unsubscribe_token(token: str) -> Customer | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Customer.objects.filter(pk=pk).first()


def unsubscribe(customer: Customer) -> None:
    from outsidein.core.services import update_customer

    if customer.consent_surveys:
        update_customer(customer, consent_surveys=False, consent_source="unsubscribe")
    Invitation.objects.filter(customer=customer, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.FAILED
    )


def mark_opened(invitation: Invitation) -> None:
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


@dataclass
class InvitePlan:
    invited: list[Invitation] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


SKIP_NO_CONSENT = "no_consent"
SKIP_NO_EMAIL = "no_email"
SKIP_RECENTLY_INVITED = "recently_invited"
SKIP_ALREADY_INVITED = "already_invited"


@transaction.atomic
def invite(
    survey: Survey, customers: Iterable[Customer], *, now: datetime | None = None
) -> InvitePlan:
    """Create pending invitations, respecting consent and the organisation's contact-frequency
    rule: nobody is invited more often than once per ``survey_interval_days`` across surveys."""
    now = now or timezone.now()
    organisation = survey.organisation
    candidates = [c for c in customers if c.organisation_id == survey.organisation_id]
    ids = [c.pk for c in candidates]
    window_start = now - timedelta(days=organisation.survey_interval_days)
    recently: set[int] = set()
    already: set[int] = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        recently.update(
            Invitation.objects.filter(organisation=organisation, customer_id__in=chunk)
            .filter(Q(sent_at__gte=window_start) | Q(status=InvitationStatus.PENDING))
            .values_list("customer_id", flat=True)
        )
        already.update(
            Invitation.objects.filter(survey=survey, customer_id__in=chunk).values_list(
                "customer_id", flat=True
            )
        )
    plan = InvitePlan()
    expires = now + timedelta(days=settings.SURVEY_INVITATION_DAYS)
    for customer in candidates:
        if not customer.consent_surveys:
            plan.skipped[SKIP_NO_CONSENT] += 1
        elif not customer.email:
            plan.skipped[SKIP_NO_EMAIL] += 1
        elif customer.pk in already:
            plan.skipped[SKIP_ALREADY_INVITED] += 1
        elif customer.pk in recently:
            plan.skipped[SKIP_RECENTLY_INVITED] += 1
        else:
            plan.invited.append(
                Invitation(
                    organisation=organisation, survey=survey, customer=customer, expires_at=expires
                )
            )
            recently.add(customer.pk)
    Invitation.objects.bulk_create(plan.invited, batch_size=1000)
    return plan


def _message(invitation: Invitation, base_url: str, *, reminder: bool) -> EmailMultiAlternatives:
    customer = invitation.customer
    survey = invitation.survey
    answer_url = base_url.rstrip("/") + reverse(
        "answer-invitation", args=[invitation_token(invitation)]
    )
    unsubscribe_url = base_url.rstrip("/") + reverse(
        "unsubscribe", args=[unsubscribe_token(customer)]
    )
    with translation.override(customer.language):
        context = {
            "customer": customer,
            "survey": survey,
            "title": survey.title(customer.language),
            "organisation": survey.organisation,
            "answer_url": answer_url,
            "unsubscribe_url": unsubscribe_url,
            "reminder": reminder,
            "expires_at": invitation.expires_at,
        }
        subject = (_("Reminder: %(title)s") if reminder else "%(title)s") % {
            "title": survey.title(customer.language)
        }
        text = render_to_string("voice/email/invitation.txt", context)
        html = render_to_string("voice/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[customer.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send_pending(survey: Survey, *, base_url: str, limit: int = 5000) -> int:
    """Email the survey's pending invitations through one SMTP connection; return the count."""
    pending = list(
        Invitation.objects.filter(survey=survey, status=InvitationStatus.PENDING).select_related(
            "customer", "survey__organisation"
        )[:limit]
    )
    return _send(pending, base_url=base_url, reminder=False)


def send_reminders(*, base_url: str, now: datetime | None = None) -> int:
    """One reminder, ``SURVEY_REMINDER_AFTER_DAYS`` after the invitation, if still unanswered
    and the customer has not unsubscribed meanwhile."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.filter(
            status=InvitationStatus.SENT,
            sent_at__lte=now - timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS),
            expires_at__gt=now,
            customer__consent_surveys=True,
        ).select_related("customer", "survey__organisation")[:5000]
    )
    due = [invitation for invitation in due if invitation.survey.is_accepting(now)]
    return _send(due, base_url=base_url, reminder=True)


def _send(invitations: list[Invitation], *, base_url: str, reminder: bool) -> int:
    if not invitations:
        return 0
    sent = 0
    with get_connection() as connection:
        for invitation in invitations:
            message = _message(invitation, base_url, reminder=reminder)
            message.connection = connection
            now = timezone.now()
            try:
                message.send()
            except OSError:
                Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.FAILED)
                continue
            if reminder:
                Invitation.objects.filter(pk=invitation.pk).update(
                    status=InvitationStatus.REMINDED, reminded_at=now
                )
            else:
                Invitation.objects.filter(pk=invitation.pk).update(
                    status=InvitationStatus.SENT, sent_at=now
                )
            sent += 1
    return sent
