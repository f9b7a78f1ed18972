"""Domain operations of the ideas portal: the one place its rules live.

Customers (participants) prove their email address with a signed link, then submit ideas, vote
and comment. Staff triage: status (a declined idea needs a reason customers see), owning team,
merging duplicates (votes carried over, a participant who voted on both counted once), staff
comments. The first staff action on an idea is its first staff response. The author and every
voter who asked to hear back get an email when the status changes, sent after commit.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein.core.models import (
    Customer,
    CustomerContactPerson,
    Organisation,
    Person,
    Segment,
    Team,
)
from outsidein.core.services import apply_changes
from outsidein.ideas.models import (
    OPEN_STATUSES,
    Comment,
    Idea,
    IdeaStatus,
    Participant,
    StatusChange,
    Vote,
)
from outsidein.voice import hook_events

logger = logging.getLogger(__name__)

# Called inside the transaction after an idea's status changed: listener(idea, previous, person).
# The strategy app keeps its "no" register in step with declined ideas this way.
StatusListener = Callable[[Idea, str, "Person | None"], None]
_status_listeners: list[StatusListener] = []


def register_status_listener(listener: StatusListener) -> None:
    if listener not in _status_listeners:
        _status_listeners.append(listener)


VERIFY_SALT = "outsidein.ideas.verify"
UNSUBSCRIBE_SALT = "outsidein.ideas.unsubscribe"
VERIFY_MAX_AGE = 2 * 24 * 3600
# New ideas nobody on staff has answered after this many days show up on managers' My work.
TRIAGE_AFTER_DAYS = 5
TITLE_MAX = 160
DESCRIPTION_MAX = 5000
COMMENT_MAX = 3000


# --- participants and email verification ------------------------------------------------------


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    return email


def match_customer(
    organisation_id: int, email: str
) -> tuple[Customer | None, CustomerContactPerson | None]:
    """The customer (and contact person) an email address belongs to, if any."""
    contact = (
        CustomerContactPerson.objects.filter(organisation_id=organisation_id, email__iexact=email)
        .select_related("customer")
        .order_by("-is_primary", "pk")
        .first()
    )
    if contact is not None:
        return contact.customer, contact
    customer = (
        Customer.objects.filter(organisation_id=organisation_id, email__iexact=email)
        .order_by("pk")
        .first()
    )
    return customer, None


def verification_token(
    organisation: Organisation, *, email: str, name: str, language: str, notify: bool, next_url: str
) -> str:
    return signing.dumps(
        {"o": organisation.pk, "e": email, "n": name, "l": language, "u": notify, "x": next_url},
        salt=VERIFY_SALT,
    )


def read_verification_token(
    organisation: Organisation, token: str, *, max_age: int = VERIFY_MAX_AGE
) -> dict[str, Any] | None:
    """The signed request behind a verification link, or None when forged, expired or meant
    for another organisation."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("o") != organisation.pk:
        return None
    return data


def request_verification(
    organisation: Organisation,
    *,
    email: str,
    name: str = "",
    language: str = "nl",
    notify: bool = True,
    next_url: str = "",
    base_url: str | None = None,
) -> str:
    """Validate, then email a signed link that proves the address; return the token."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    name = (name or "").strip()
    if len(name) > 120:
        errors["name"] = _("Use at most 120 characters.")
    if language not in ("nl", "en"):
        errors["language"] = _("Choose Dutch or English.")
    if errors:
        raise ValidationError(errors)
    if not next_url.startswith(f"/ideas/{organisation.slug}/"):
        next_url = ""
    token = verification_token(
        organisation, email=email, name=name, language=language, notify=notify, next_url=next_url
    )
    link = (base_url or settings.BASE_URL).rstrip("/") + reverse(
        "ideas-portal-verify", args=[organisation.slug, token]
    )
    with translation.override(language):
        context = {
            "organisation": organisation,
            "link": link,
            "portal_url": (base_url or settings.BASE_URL).rstrip("/")
            + reverse("ideas-portal", args=[organisation.slug]),
            "hours": VERIFY_MAX_AGE // 3600,
        }
        subject = _("Confirm your email address for the %(org)s ideas portal") % {
            "org": organisation.name
        }
        text = render_to_string("ideas/email/verify.txt", context)
        html = render_to_string("ideas/email/verify.html", context)
    message = EmailMultiAlternatives(subject, text, to=[email])
    message.attach_alternative(html, "text/html")
    message.send()
    return token


@transaction.atomic
def verify_participant(
    organisation: Organisation,
    *,
    email: str,
    name: str = "",
    language: str = "nl",
    notify: bool | None = None,
    now: datetime | None = None,
) -> Participant:
    """The participant behind a proven email address: created on the first visit, updated on
    later ones, and linked to the customer the address belongs to."""
    now = now or timezone.now()
    email = normalise_email(email)
    participant = (
        Participant.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email)
        .first()
    )
    customer, contact = match_customer(organisation.pk, email)
    if participant is None:
        participant = Participant(organisation=organisation, email=email)
    if name:
        participant.name = name[:120]
    elif not participant.name and (contact or customer):
        participant.name = (contact.name if contact else customer.name if customer else "")[:120]
    if language in ("nl", "en"):
        participant.language = language
    if notify is not None:
        participant.notify = notify
    participant.customer = customer
    participant.contact_person = contact
    participant.verified_at = participant.verified_at or now
    participant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:  # created by a parallel request meanwhile
        participant = Participant.objects.get(organisation=organisation, email__iexact=email)
    return participant


def participant_for_staff_entry(
    organisation: Organisation,
    *,
    customer: Customer | None,
    email: str | None,
    language: str | None,
    notify: bool,
) -> Participant | None:
    """The participant for an idea an employee enters on a customer's behalf (a phone call, a
    visit): by the given address, else the customer's own. Not marked verified."""
    address = email or (customer.email if customer else "")
    if not address:
        return None
    address = normalise_email(address)
    participant = Participant.objects.filter(
        organisation=organisation, email__iexact=address
    ).first()
    if participant is None:
        found_customer, contact = match_customer(organisation.pk, address)
        customer = customer or found_customer
        participant = Participant(
            organisation=organisation,
            email=address,
            name=(contact.name if contact else customer.name if customer else "")[:120],
            language=language or (customer.language if customer else organisation.language),
            customer=customer,
            contact_person=contact,
            notify=notify,
        )
        participant.full_clean(validate_constraints=False)
        participant.save()
    return participant


@transaction.atomic
def set_notify(participant: Participant, notify: bool) -> Participant:
    Participant.objects.filter(pk=participant.pk).update(notify=notify)
    participant.notify = notify
    return participant


def unsubscribe_token(participant: Participant) -> str:
    return signing.dumps(participant.pk, salt=UNSUBSCRIBE_SALT)


def participant_for_unsubscribe_token(organisation: Organisation, token: str) -> Participant | None:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Participant.objects.filter(pk=pk, organisation=organisation).first()


# --- ideas -----------------------------------------------------------------------------------


def _clean_text(value: Any, field: str, *, required: bool, maximum: int) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("Text may not contain NUL characters.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > maximum:
        raise ValidationError(
            {field: _("Use at most %(n)s characters (now %(m)s).") % {"n": maximum, "m": len(text)}}
        )
    return text


def _refresh_vote_count(*idea_ids: int) -> None:
    counts = (
        Vote.objects.filter(idea_id=OuterRef("pk")).values("idea_id").annotate(n=Count("pk"))
    ).values("n")
    Idea.objects.filter(pk__in=idea_ids).update(vote_count=Coalesce(Subquery(counts), 0))


@transaction.atomic
def submit_idea(
    organisation: Organisation,
    *,
    title: str,
    description: str = "",
    author: Participant | None = None,
    entered_by: Person | None = None,
    customer: Customer | None = None,
    language: str | None = None,
    team: Team | None = None,
    is_public: bool = True,
    created_at: datetime | None = None,
) -> Idea:
    """A new idea. The author's own vote is counted (as on every ideas board)."""
    title = _clean_text(title, "title", required=True, maximum=TITLE_MAX)
    description = _clean_text(description, "description", required=False, maximum=DESCRIPTION_MAX)
    if author is not None and customer is None:
        customer = author.customer
    idea = Idea(
        organisation=organisation,
        title=title,
        description=description,
        author=author,
        entered_by=entered_by,
        customer=customer,
        segment=customer.segment if customer else None,
        language=language or (author.language if author else organisation.language),
        team=team,
        is_public=is_public,
    )
    if created_at is not None:
        idea.created_at = created_at
    idea.full_clean()
    idea.save()
    if author is not None:
        Vote.objects.create(
            organisation=organisation,
            idea=idea,
            participant=author,
            segment=author.customer.segment if author.customer else None,
            created_at=idea.created_at,
        )
        idea.vote_count = 1
        Idea.objects.filter(pk=idea.pk).update(vote_count=1)
    return idea


IDEA_FIELDS = ("title", "description", "is_public", "team")


@transaction.atomic
def update_idea(idea: Idea, *, person: Person | None = None, **changes: Any) -> Idea:
    """Edit the idea's text, visibility or team; a status change goes through
    ``change_status`` (with its reason and notifications)."""
    status = changes.pop("status", None)
    reason = changes.pop("decline_reason", None)
    if "title" in changes:
        changes["title"] = _clean_text(changes["title"], "title", required=True, maximum=TITLE_MAX)
    if "description" in changes:
        changes["description"] = _clean_text(
            changes["description"], "description", required=False, maximum=DESCRIPTION_MAX
        )
    try:
        apply_changes(idea, changes, IDEA_FIELDS)
        idea.full_clean()
    except ValidationError:
        idea.refresh_from_db()
        raise
    idea.save()
    if status is not None and status != idea.status:
        change_status(idea, status=status, reason=reason or "", person=person)
    elif reason is not None and idea.status == IdeaStatus.DECLINED:
        change_status(idea, status=IdeaStatus.DECLINED, reason=reason, person=person)
    return idea


@transaction.atomic
def delete_idea(idea: Idea) -> None:
    Idea.objects.filter(merged_into=idea).update(merged_into=None)
    idea.delete()


def _mark_responded(idea: Idea, now: datetime) -> None:
    if idea.first_staff_response_at is None:
        idea.first_staff_response_at = now
        Idea.objects.filter(pk=idea.pk, first_staff_response_at__isnull=True).update(
            first_staff_response_at=now
        )


@transaction.atomic
def change_status(
    idea: Idea,
    *,
    status: str,
    reason: str = "",
    person: Person | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Idea:
    """Move the idea to ``status``. Declining needs a reason (shown to customers). The change is
    logged publicly, counts as a staff response, and the author and voters who asked to hear
    back are emailed after commit."""
    now = now or timezone.now()
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": status}})
    if idea.merged_into_id is not None:
        raise ValidationError(
            {"status": _("This idea was merged into another; change that one instead.")}
        )
    reason = _clean_text(reason, "decline_reason", required=False, maximum=DESCRIPTION_MAX)
    if status == IdeaStatus.DECLINED and not reason:
        raise ValidationError(
            {"decline_reason": _("Tell the customer why: a declined idea needs a reason.")}
        )
    previous = idea.status
    if previous == status and (status != IdeaStatus.DECLINED or reason == idea.decline_reason):
        return idea
    idea.status = status
    idea.decline_reason = reason if status == IdeaStatus.DECLINED else ""
    idea.status_changed_at = now
    idea.save(update_fields=["status", "decline_reason", "status_changed_at", "updated_at"])
    change = StatusChange.objects.create(
        organisation_id=idea.organisation_id,
        idea=idea,
        from_status=previous,
        to_status=status,
        reason=reason,
        person=person,
        created_at=now,
    )
    _mark_responded(idea, now)
    hook_events.idea_status_changed(idea, change)
    for listener in _status_listeners:
        listener(idea, previous, person)
    if notify and previous != status:
        recipients = notification_recipients([idea.pk])
        transaction.on_commit(lambda: send_status_emails(idea.pk, change.pk, recipients))
    return idea


@transaction.atomic
def assign_team(idea: Idea, team: Team | None) -> Idea:
    idea.check_same_organisation(team=team)
    idea.team = team
    idea.save(update_fields=["team", "updated_at"])
    return idea


@transaction.atomic
def merge(
    duplicate: Idea,
    into: Idea,
    *,
    person: Person | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Idea:
    """Fold ``duplicate`` into ``into``: its votes move over (a participant who voted on both
    counts once), its comments follow, it leaves the lists and its page points to ``into``.
    Its author and voters hear where their idea went."""
    now = now or timezone.now()
    if duplicate.organisation_id != into.organisation_id:
        raise ValidationError({"into": _("This belongs to another organisation.")})
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("An idea cannot be merged into itself.")})
    if duplicate.merged_into_id is not None:
        raise ValidationError({"into": _("This idea was already merged into another.")})
    if into.merged_into_id is not None:
        raise ValidationError(
            {"into": _("That idea was itself merged; merge into the idea it was merged into.")}
        )
    recipients = notification_recipients([duplicate.pk])
    # Ideas merged into the duplicate before now point at the surviving idea.
    Idea.objects.filter(merged_into=duplicate).update(merged_into=into)
    already = set(Vote.objects.filter(idea=into).values_list("participant_id", flat=True))
    Vote.objects.filter(idea=duplicate, participant_id__in=already).delete()
    Vote.objects.filter(idea=duplicate).update(idea=into)
    Comment.objects.filter(idea=duplicate).update(idea=into)
    previous = duplicate.status
    duplicate.merged_into = into
    duplicate.status_changed_at = now
    duplicate.save(update_fields=["merged_into", "status_changed_at", "updated_at"])
    change = StatusChange.objects.create(
        organisation_id=duplicate.organisation_id,
        idea=duplicate,
        from_status=previous,
        to_status=previous,
        merged_into=into,
        person=person,
        created_at=now,
    )
    _mark_responded(duplicate, now)
    _refresh_vote_count(duplicate.pk, into.pk)
    into.refresh_from_db()
    duplicate.vote_count = 0
    if notify:
        transaction.on_commit(lambda: send_status_emails(duplicate.pk, change.pk, recipients))
    return into


# --- votes and comments ---------------------------------------------------------------------


@transaction.atomic
def vote(idea: Idea, participant: Participant, *, now: datetime | None = None) -> bool:
    """Add the participant's vote; False when they had already voted."""
    if participant.organisation_id != idea.organisation_id:
        raise ValidationError({"idea": _("This belongs to another organisation.")})
    if not idea.is_open:
        raise ValidationError({"idea": _("This idea is closed for votes.")})
    _created_vote, created = Vote.objects.get_or_create(
        idea=idea,
        participant=participant,
        defaults={
            "organisation_id": idea.organisation_id,
            "segment": participant.customer.segment if participant.customer else None,
            "created_at": now or timezone.now(),
        },
    )
    if created:
        _refresh_vote_count(idea.pk)
        idea.refresh_from_db(fields=["vote_count"])
    return created


@transaction.atomic
def unvote(idea: Idea, participant: Participant) -> bool:
    deleted, _detail = Vote.objects.filter(idea=idea, participant=participant).delete()
    if deleted:
        _refresh_vote_count(idea.pk)
        idea.refresh_from_db(fields=["vote_count"])
    return bool(deleted)


@transaction.atomic
def add_comment(
    idea: Idea,
    *,
    text: str,
    participant: Participant | None = None,
    person: Person | None = None,
    now: datetime | None = None,
) -> Comment:
    """A comment by a customer or by staff. A staff comment is a staff response."""
    if (participant is None) == (person is None):
        raise ValueError("A comment has either a participant or a person as its author.")
    author_org = (participant or person).organisation_id  # type: ignore[union-attr]
    if author_org != idea.organisation_id:
        raise ValidationError({"idea": _("This belongs to another organisation.")})
    if idea.merged_into_id is not None:
        raise ValidationError({"text": _("This idea was merged; comment on the idea it joined.")})
    text = _clean_text(text, "text", required=True, maximum=COMMENT_MAX)
    now = now or timezone.now()
    comment = Comment.objects.create(
        organisation_id=idea.organisation_id,
        idea=idea,
        participant=participant,
        person=person,
        is_staff=person is not None,
        text=text,
        created_at=now,
    )
    if person is not None:
        _mark_responded(idea, now)
    return comment


# --- notifications --------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    participant_id: int
    email: str
    name: str
    language: str


def notification_recipients(idea_ids: Sequence[int]) -> list[Notice]:
    """The authors and voters of these ideas who asked to hear back, each address once."""
    participants = Participant.objects.filter(
        Q(ideas__pk__in=idea_ids) | Q(votes__idea_id__in=idea_ids), notify=True
    ).distinct()
    seen: set[str] = set()
    found: list[Notice] = []
    for participant in participants.order_by("pk"):
        if participant.email.lower() in seen:
            continue
        seen.add(participant.email.lower())
        found.append(
            Notice(participant.pk, participant.email, participant.name, participant.language)
        )
    return found


def send_status_emails(
    idea_id: int, change_id: int, recipients: Iterable[Notice], *, base_url: str | None = None
) -> int:
    """Email each recipient, in their language, what happened to the idea. Failures are logged,
    never raised: the status change itself has been saved."""
    idea = Idea.objects.select_related("organisation", "merged_into").filter(pk=idea_id).first()
    change = StatusChange.objects.filter(pk=change_id).first()
    if idea is None or change is None:
        return 0
    base = (base_url or settings.BASE_URL).rstrip("/")
    organisation = idea.organisation
    shown = idea.merged_into or idea
    idea_url = base + reverse("ideas-portal-idea", args=[organisation.slug, shown.pk])
    sent = 0
    recipients = list(recipients)
    if not recipients:
        return 0
    try:
        with get_connection() as connection:
            for notice in recipients:
                participant = Participant(pk=notice.participant_id)
                unsubscribe_url = base + reverse(
                    "ideas-portal-unsubscribe",
                    args=[organisation.slug, unsubscribe_token(participant)],
                )
                with translation.override(notice.language):
                    context = {
                        "idea": idea,
                        "shown": shown,
                        "change": change,
                        "status_label": IdeaStatus(change.to_status).label,
                        "organisation": organisation,
                        "name": notice.name.split()[0] if notice.name.strip() else "",
                        "idea_url": idea_url,
                        "unsubscribe_url": unsubscribe_url,
                    }
                    if change.merged_into_id:
                        subject = _("Your idea joined a similar one: %(title)s") % {
                            "title": shown.title
                        }
                    else:
                        subject = _("Update on the idea “%(title)s”: %(status)s") % {
                            "title": idea.title,
                            "status": IdeaStatus(change.to_status).label,
                        }
                    text = render_to_string("ideas/email/status.txt", context)
                    html = render_to_string("ideas/email/status.html", context)
                message = EmailMultiAlternatives(
                    subject,
                    text,
                    to=[notice.email],
                    connection=connection,
                    headers={
                        "List-Unsubscribe": f"<{unsubscribe_url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                )
                message.attach_alternative(html, "text/html")
                try:
                    message.send()
                except OSError:
                    logger.warning("Could not send an idea status email to %s", notice.email)
                    continue
                sent += 1
    except OSError:
        logger.warning("No mail connection for idea status emails (idea %s)", idea_id)
    return sent


# --- reading: lists, top ideas, numbers ----------------------------------------------------------

SORTS = {
    "votes": ("-vote_count", "-created_at", "-pk"),
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "waiting": ("first_staff_response_at", "created_at", "pk"),
}


def filter_ideas(
    queryset: QuerySet[Idea],
    *,
    q: str | None = None,
    status: str | None = None,
    team: int | None = None,
    segment: int | None = None,
    unanswered: bool | None = None,
    include_merged: bool = False,
    sort: str | None = None,
) -> QuerySet[Idea]:
    if not include_merged:
        queryset = queryset.filter(merged_into__isnull=True)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if team == -1:
        queryset = queryset.filter(team__isnull=True)
    elif team:
        queryset = queryset.filter(team_id=team)
    if segment:
        queryset = queryset.filter(segment_id=segment)
    if unanswered:
        queryset = queryset.filter(first_staff_response_at__isnull=True)
    return queryset.order_by(*SORTS.get(sort or "votes", SORTS["votes"]))


def public_ideas(organisation: Organisation) -> QuerySet[Idea]:
    return Idea.objects.filter(
        organisation=organisation, is_public=True, merged_into__isnull=True
    ).select_related("author")


def may_see(idea: Idea, participant: Participant | None) -> bool:
    """Public ideas are public; a hidden idea is seen only by its author."""
    if idea.is_public:
        return True
    return participant is not None and idea.author_id == participant.pk


@dataclass(frozen=True)
class SegmentTop:
    segment_id: int | None
    name: str
    ideas: list[tuple[Idea, int]]


def top_by_segment(
    organisation_id: int, *, limit: int = 5, team_ids: set[int] | None = None
) -> list[SegmentTop]:
    """Per segment, the open ideas with the most votes from customers in that segment."""
    votes = Vote.objects.filter(
        organisation_id=organisation_id,
        idea__merged_into__isnull=True,
        idea__status__in=OPEN_STATUSES,
    )
    if team_ids is not None:
        votes = votes.filter(idea__team_id__in=team_ids)
    rows = votes.values("segment_id", "idea_id").annotate(n=Count("pk")).order_by("-n", "idea_id")
    per_segment: dict[int | None, list[tuple[int, int]]] = {}
    for row in rows:
        bucket = per_segment.setdefault(row["segment_id"], [])
        if len(bucket) < limit:
            bucket.append((row["idea_id"], row["n"]))
    wanted = [idea_id for pairs in per_segment.values() for idea_id, _n in pairs]
    ideas = Idea.objects.in_bulk(wanted)
    names = dict(Segment.objects.filter(organisation_id=organisation_id).values_list("id", "name"))
    result = [
        SegmentTop(
            segment_id=segment_id,
            name=names.get(segment_id, "") if segment_id else str(_("No segment known")),
            ideas=[(ideas[idea_id], n) for idea_id, n in pairs if idea_id in ideas],
        )
        for segment_id, pairs in per_segment.items()
    ]
    result.sort(key=lambda top: (top.segment_id is None, top.name.lower()))
    return result


@dataclass(frozen=True)
class IdeaStats:
    ideas: int
    answered: int
    share_answered: float | None  # percent
    median_hours_to_response: float | None
    waiting_long: int  # unanswered for more than TRIAGE_AFTER_DAYS days
    declined: int
    done: int


def idea_stats(queryset: QuerySet[Idea], *, now: datetime | None = None) -> IdeaStats:
    """Numbers over the given ideas (merged duplicates not counted as ideas of their own)."""
    now = now or timezone.now()
    rows = list(
        queryset.filter(merged_into__isnull=True).values_list(
            "created_at", "first_staff_response_at", "status"
        )
    )
    answered = [(c, r) for c, r, _s in rows if r is not None]
    hours = [max((r - c).total_seconds(), 0) / 3600 for c, r in answered]
    limit = now - timedelta(days=TRIAGE_AFTER_DAYS)
    return IdeaStats(
        ideas=len(rows),
        answered=len(answered),
        share_answered=100.0 * len(answered) / len(rows) if rows else None,
        median_hours_to_response=statistics.median(hours) if hours else None,
        waiting_long=sum(1 for c, r, _s in rows if r is None and c < limit),
        declined=sum(1 for _c, _r, s in rows if s == IdeaStatus.DECLINED),
        done=sum(1 for _c, _r, s in rows if s == IdeaStatus.DONE),
    )


def team_stats(organisation_id: int, *, now: datetime | None = None) -> list[tuple[Any, IdeaStats]]:
    """Per owning team (and "not assigned"), the same numbers."""
    teams = {team.pk: team for team in Team.objects.filter(organisation_id=organisation_id)}
    base = Idea.objects.filter(organisation_id=organisation_id)
    team_ids = set(base.values_list("team_id", flat=True).distinct())
    result: list[tuple[Any, IdeaStats]] = []
    for team_id in sorted(team_ids, key=lambda t: (t is None, teams[t].name if t else "")):
        stats = idea_stats(
            base.filter(team_id=team_id) if team_id else base.filter(team__isnull=True), now=now
        )
        if stats.ideas:
            result.append((teams.get(team_id) if team_id else None, stats))
    return result


def answered_figure(organisation_id: int, window: Any) -> Any:
    """THE "customers' ideas answered" figure for a window (``core.periods.Window``): the
    share of ideas submitted in the window that got a staff response, n, per team. The staff
    pages, Practices, the index, the report and the API all show this one figure."""
    from outsidein.practice import registry

    return registry.figure("ideas", organisation_id, window)


def measure(organisation_id: int, start: date, end: date) -> Any:
    """The norm "customers' ideas are answered": % of ideas submitted in the period that got a
    staff response (a merged duplicate counts, with its own answer), for the organisation and
    per owning team. Read it through ``answered_figure`` (which names the window)."""
    from outsidein.practice.registry import Measure

    first = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
    rows = list(
        Idea.objects.filter(
            organisation_id=organisation_id,
            created_at__gte=first,
            created_at__lt=last,
            merged_into__isnull=True,
        ).values_list("team_id", "first_staff_response_at")
    )
    merged_rows = list(
        Idea.objects.filter(
            organisation_id=organisation_id,
            created_at__gte=first,
            created_at__lt=last,
            merged_into__isnull=False,
        ).values_list("team_id", "first_staff_response_at")
    )
    rows += merged_rows  # a duplicate that was merged got an answer too: count it
    by_team: dict[int, list[int]] = {}
    for team_id, responded in rows:
        if team_id is not None:
            counts = by_team.setdefault(team_id, [0, 0])
            counts[0] += 1
            counts[1] += responded is not None
    answered = sum(1 for _t, responded in rows if responded is not None)
    return Measure(
        value=100.0 * answered / len(rows) if rows else None,
        n=len(rows),
        unit="%",
        by_team={
            team_id: (100.0 * done / n if n else None, n) for team_id, (n, done) in by_team.items()
        },
    )


def ideas_waiting_for_triage(
    organisation_id: int, *, team_ids: set[int] | None, now: datetime | None = None
) -> QuerySet[Idea]:
    """New ideas without any staff response for longer than ``TRIAGE_AFTER_DAYS`` days.
    ``team_ids`` None means every team; otherwise those teams plus unassigned ideas."""
    now = now or timezone.now()
    queryset = Idea.objects.filter(
        organisation_id=organisation_id,
        merged_into__isnull=True,
        status=IdeaStatus.NEW,
        first_staff_response_at__isnull=True,
        created_at__lt=now - timedelta(days=TRIAGE_AFTER_DAYS),
    )
    if team_ids is not None:
        queryset = queryset.filter(Q(team_id__in=team_ids) | Q(team__isnull=True))
    return queryset.order_by("created_at", "pk")


def decisions_citing(idea: Idea) -> list[Any]:
    """The practice decisions that cite this idea as customer evidence."""
    from outsidein.practice.models import Decision

    return list(
        Decision.objects.filter(
            organisation_id=idea.organisation_id, evidence__kind="idea", evidence__ref_id=idea.pk
        ).distinct()
    )


@transaction.atomic
def link_decision(idea: Idea, decision: Any, *, person: Person | None, note: str = "") -> Any:
    """Cite the idea as customer evidence on a decision (through the evidence registry's kind
    "idea", never a foreign key)."""
    from outsidein.practice.models import Evidence

    if decision.organisation_id != idea.organisation_id:
        raise ValidationError({"decision": _("This belongs to another organisation.")})
    note = _clean_text(note, "note", required=False, maximum=COMMENT_MAX)
    evidence, _created = Evidence.objects.get_or_create(
        decision=decision,
        kind="idea",
        ref_id=idea.pk,
        defaults={
            "organisation_id": idea.organisation_id,
            "label": evidence_label(idea)[:300],
            "note": note,
            "added_by": person,
        },
    )
    return evidence


def evidence_label(idea: Idea) -> str:
    from django.utils.translation import ngettext

    return ngettext(
        "Idea “%(title)s” (%(n)s vote)", "Idea “%(title)s” (%(n)s votes)", idea.vote_count
    ) % {"title": idea.title, "n": idea.vote_count}
