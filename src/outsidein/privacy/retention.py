"""The retention policy, applied by the daily round: ``run_retention(organisation)`` for one
organisation, ``run_retention_all()`` for every one. Idempotent (a second run the same day
changes nothing) and batched.

- Free text older than ``free_text_months``: feedback comments, subjects and answers in words,
  the sentences kept by the text analysis, training examples taken from them, case notes,
  contact learnings, portal comments and webhook messages are replaced by "[removed]" (scores,
  dates and every dimension stay, so the figures do not change).
- Contact details of customers with no feedback, invitation or contact for
  ``contact_details_months``: name, email, phone, city and contact people removed.
- Expired invitations that were never answered, revoked API tokens and export files older than
  ``purge_expired_after_days`` are deleted.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.models import Customer, CustomerContactPerson, Organisation
from outsidein.privacy.gdpr import _strip_sentences, _text_answer_keys, words_removed
from outsidein.privacy.models import PrivacySettings

logger = logging.getLogger(__name__)

REMOVED = "[removed]"
BATCH = 2000


def settings_for(organisation: Organisation) -> PrivacySettings:
    found = PrivacySettings.objects.filter(organisation=organisation).first()
    return found or PrivacySettings(organisation=organisation)


def _months_ago(months: int) -> Any:
    return timezone.now() - timedelta(days=round(months * 30.44))


def _free_text(organisation: Organisation, cutoff: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    Feedback = apps.get_model("voice.Feedback")
    old = Feedback.objects.filter(organisation=organisation, submitted_at__lt=cutoff)
    with_words = old.filter(~Q(comment="") | ~Q(subject="") | ~Q(answers={}))
    survey_ids = set(with_words.exclude(survey=None).values_list("survey_id", flat=True).distinct())
    text_keys = _text_answer_keys(survey_ids)
    changed = 0
    last = 0
    while True:
        batch = list(
            with_words.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "comment", "subject", "answers", "survey_id")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        dirty = []
        for item in batch:
            answers = words_removed(item.answers, text_keys.get(item.survey_id or 0, set()))
            new_comment = REMOVED if item.comment and item.comment != REMOVED else item.comment
            new_subject = REMOVED if item.subject and item.subject != REMOVED else item.subject
            if (new_comment, new_subject, answers) != (item.comment, item.subject, item.answers):
                item.comment, item.subject, item.answers = new_comment, new_subject, answers
                dirty.append(item)
        Feedback.objects.bulk_update(dirty, ["comment", "subject", "answers"], batch_size=500)
        changed += len(dirty)
    counts["feedback"] = changed
    old_ids = old.values("pk")
    Analysis = apps.get_model("text.FeedbackAnalysis")
    for analysis in Analysis.objects.filter(
        organisation=organisation, feedback__in=old_ids
    ).exclude(sentences=[]):
        stripped = _strip_sentences(analysis.sentences)
        if stripped != analysis.sentences:
            analysis.sentences = stripped
            analysis.save(update_fields=["sentences"])
    counts["training_examples"] = (
        apps.get_model("text.TrainingExample")
        .objects.filter(organisation=organisation, feedback__in=old_ids)
        .delete()[0]
    )
    counts["case_notes"] = (
        apps.get_model("practice.CaseNote")
        .objects.filter(organisation=organisation, created_at__lt=cutoff)
        .exclude(text=REMOVED)
        .update(text=REMOVED)
    )
    counts["contacts"] = (
        apps.get_model("practice.Contact")
        .objects.filter(organisation=organisation, happened_on__lt=cutoff.date())
        .exclude(learned="")
        .exclude(learned=REMOVED)
        .update(learned=REMOVED)
    )
    counts["portal_comments"] = (
        apps.get_model("ideas.Comment")
        .objects.filter(organisation=organisation, created_at__lt=cutoff, participant__isnull=False)
        .exclude(text=REMOVED)
        .update(text=REMOVED)
    )
    counts["webhook_messages"] = (
        apps.get_model("voice.Delivery")
        .objects.filter(organisation=organisation, created_at__lt=cutoff)
        .exclude(status="pending")
        .delete()[0]
    )
    return counts


def _contact_details(organisation: Organisation, cutoff: Any) -> int:
    """Customers not heard from since ``cutoff`` lose what reaches them."""
    active = set(
        apps.get_model("voice.Feedback")
        .objects.filter(organisation=organisation, submitted_at__gte=cutoff)
        .exclude(customer=None)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    active |= set(
        apps.get_model("voice.Invitation")
        .objects.filter(organisation=organisation, created_at__gte=cutoff)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    active |= set(
        apps.get_model("practice.Contact")
        .objects.filter(organisation=organisation, happened_on__gte=cutoff.date())
        .exclude(customer=None)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    stale = (
        Customer.objects.filter(organisation=organisation, created_at__lt=cutoff)
        .exclude(pk__in=active)
        .filter(updated_at__lt=cutoff)
        .filter(~Q(email="") | ~Q(phone="") | ~Q(city="") | Q(contact_people__isnull=False))
        .distinct()
    )
    count = 0
    with translation.override(organisation.language):
        for customer in stale.iterator(chunk_size=500):
            CustomerContactPerson.objects.filter(customer=customer).delete()
            Customer.objects.filter(pk=customer.pk).update(
                name=(_("Anonymised customer #%(id)s") % {"id": customer.pk})[:200],
                email="",
                phone="",
                city="",
            )
            participants = apps.get_model("ideas.Participant").objects.filter(customer=customer)
            for participant in participants:
                participant.email = f"erased-{participant.pk}@erased.invalid"
                participant.name = ""
                participant.notify = False
                participant.save(update_fields=["email", "name", "notify", "updated_at"])
            count += 1
    return count


def _purge(organisation: Organisation, days: int) -> dict[str, int]:
    cutoff = timezone.now() - timedelta(days=days)
    Invitation = apps.get_model("voice.Invitation")
    invitations = Invitation.objects.filter(
        organisation=organisation, expires_at__lt=cutoff, responded_at=None, feedback=None
    )
    tokens = apps.get_model("core.ApiToken").objects.filter(
        organisation=organisation, revoked_at__lt=cutoff
    )
    files = 0
    Job = apps.get_model("jobs.Job")
    for job in Job.objects.filter(organisation=organisation, created_at__lt=cutoff).exclude(
        result={}
    ):
        relative = (job.result or {}).get("file")
        if not relative:
            continue
        path = (Path(settings.MEDIA_ROOT) / relative).resolve()
        if Path(settings.MEDIA_ROOT).resolve() in path.parents and path.is_file():
            path.unlink()
            files += 1
        job.result = {k: v for k, v in job.result.items() if k not in ("file", "filename")}
        job.save(update_fields=["result"])
    return {
        "expired_invitations": invitations.delete()[0],
        "revoked_tokens": tokens.delete()[0],
        "export_files": files,
    }


@transaction.atomic
def run_retention(organisation: Organisation) -> dict[str, int]:
    """Apply the organisation's retention policy now; returns what changed, per kind."""
    policy = settings_for(organisation)
    counts: dict[str, int] = {}
    if policy.free_text_months:
        counts.update(_free_text(organisation, _months_ago(policy.free_text_months)))
    if policy.contact_details_months:
        counts["customers_anonymised"] = _contact_details(
            organisation, _months_ago(policy.contact_details_months)
        )
    counts.update(_purge(organisation, policy.purge_expired_after_days))
    counts = {k: v for k, v in counts.items() if v}
    if policy.pk:
        PrivacySettings.objects.filter(pk=policy.pk).update(last_run_at=timezone.now())
    if counts:
        audit.record(
            organisation,
            "retention",
            object_type="privacy.privacysettings",
            object_id=policy.pk or "",
            label=str(_("Retention policy")),
            details=counts,
            source="system",
        )
    return counts


def run_retention_all() -> dict[str, dict[str, int]]:
    """The daily round's step: every organisation's policy, each in its own transaction (one
    failure is logged and does not stop the others)."""
    results: dict[str, dict[str, int]] = {}
    for organisation in Organisation.objects.order_by("pk"):
        try:
            results[organisation.slug] = run_retention(organisation)
        except Exception:
            logger.exception("Retention failed for organisation %s", organisation.slug)
    return results
