"""One customer's rights: everything we hold about them, exported (a zip of JSON and CSV), or
erased.

Erasure keeps every figure as it was: the customer's record stays as an anonymous husk
("Erased customer #id", no name, number, email, phone or city, no consent), their feedback keeps
its scores, date, survey, segment, team, channel and language but loses its words (comment,
subject, answers in words) and its sender's id; their cases, contacts, ideas and portal comments
lose their text; their contact people and portal identity are removed. Rollups are keyed on
none of what is removed, so dashboards, the index and every other figure are unchanged. A last
sweep replaces any remaining mention (name, email, phone, number, the words they wrote) in
every text and JSON column of the organisation's tables, so copies made elsewhere (an evidence
label, a job log, a webhook message, the audit trail) go too. The erasure itself is recorded in
the audit trail with counts only.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.models import Customer, CustomerContactPerson, Organisation

ERASED = "[erased]"
# Needles shorter than this are not swept from other records (a short name or number would
# match unrelated words); the customer's own records are cleared field by field regardless.
MIN_SWEEP = 4
MIN_SWEEP_WORDS = 12
TERMS_PER_QUERY = 400


# --- what we hold about one customer ----------------------------------------------------------


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _rows(queryset: Any, fields: Iterable[str]) -> list[dict[str, Any]]:
    out = []
    for obj in queryset:
        row: dict[str, Any] = {}
        for name in fields:
            value = getattr(obj, name, None)
            row[name] = audit_plain(value)
        out.append(row)
    return out


def audit_plain(value: Any) -> Any:
    from outsidein.audit.services import plain

    if isinstance(value, str):
        return value  # never shortened in an export
    return plain(value)


@dataclass
class Holdings:
    """Querysets of everything tied to one customer."""

    customer: Customer
    feedback_ids: list[int]
    participants: Any
    sections: dict[str, Any] = field(default_factory=dict)


def _participants(customer: Customer) -> Any:
    Participant = _model("ideas.Participant")
    if Participant is None:
        return None
    emails = {
        e.lower()
        for e in [customer.email, *customer.contact_people.values_list("email", flat=True)]
        if e
    }
    match = Q(customer=customer) | Q(contact_person__customer=customer)
    for email in emails:
        match |= Q(email__iexact=email)
    return Participant.objects.filter(organisation_id=customer.organisation_id).filter(match)


def _mentions(customer: Customer) -> Q:
    """Free text that names the customer (by email, number or full name)."""
    words = [
        w
        for w in (customer.email, customer.external_id, customer.name)
        if w and len(w) >= MIN_SWEEP
    ]
    found = Q(pk__in=[])
    for word in words:
        found |= Q(observations__icontains=word)
    return found


def export_data(customer: Customer) -> dict[str, list[dict[str, Any]]]:
    """Everything about one customer, section by section (each a list of plain rows)."""
    org = customer.organisation_id
    data: dict[str, list[dict[str, Any]]] = {}
    data["customer"] = _rows(
        [customer],
        [
            "id",
            "external_id",
            "kind",
            "name",
            "email",
            "phone",
            "language",
            "city",
            "segment",
            "consent_surveys",
            "consent_marketing",
            "consent_updates",
            "consent_updated_at",
            "created_at",
            "updated_at",
        ],
    )
    data["contact_people"] = _rows(
        customer.contact_people.all(),
        ["id", "name", "email", "phone", "job_title", "language", "is_primary", "created_at"],
    )
    ConsentEvent = _model("privacy.ConsentEvent")
    if ConsentEvent is not None:
        data["consent_history"] = _rows(
            ConsentEvent.objects.filter(customer=customer).order_by("at", "pk"),
            ["at", "kind", "given", "source"],
        )
    Feedback = _model("voice.Feedback")
    feedback = list(
        Feedback.objects.filter(organisation_id=org, customer=customer)
        .select_related("survey", "team", "segment")
        .prefetch_related("tags")
        .order_by("submitted_at", "pk")
    )
    data["feedback"] = []
    for item in feedback:
        row = _rows(
            [item],
            [
                "id",
                "kind",
                "channel",
                "survey",
                "submitted_at",
                "language",
                "nps",
                "csat",
                "ces",
                "rating",
                "subject",
                "comment",
                "answers",
                "is_complete",
                "external_id",
                "team",
                "segment",
            ],
        )[0]
        row["tags"] = [t.name for t in item.tags.all()]
        data["feedback"].append(row)
    ids = [f.pk for f in feedback]
    Analysis = _model("text.FeedbackAnalysis")
    if Analysis is not None:
        data["feedback_analysis"] = _rows(
            Analysis.objects.filter(organisation_id=org, feedback_id__in=ids).order_by(
                "feedback_id"
            ),
            ["feedback_id", "language", "sentiment", "themes"],
        )
    Invitation = _model("voice.Invitation")
    data["invitations"] = _rows(
        Invitation.objects.filter(organisation_id=org, customer=customer)
        .select_related("survey")
        .order_by("created_at", "pk"),
        [
            "id",
            "survey",
            "status",
            "created_at",
            "sent_at",
            "reminded_at",
            "opened_at",
            "responded_at",
            "expires_at",
        ],
    )
    Case = _model("practice.Case")
    if Case is not None:
        cases = list(
            Case.objects.filter(organisation_id=org)
            .filter(Q(customer=customer) | Q(feedback_id__in=ids))
            .select_related("team", "owner")
            .order_by("created_at", "pk")
        )
        data["cases"] = _rows(
            cases,
            [
                "id",
                "kind",
                "status",
                "priority",
                "channel",
                "subject",
                "team",
                "owner",
                "created_at",
                "learned",
            ],
        )
        CaseNote = _model("practice.CaseNote")
        data["case_notes"] = _rows(
            CaseNote.objects.filter(organisation_id=org, case__in=cases)
            .select_related("author")
            .order_by("created_at", "pk"),
            ["case_id", "kind", "author", "text", "created_at"],
        )
        Contact = _model("practice.Contact")
        data["contacts"] = _rows(
            Contact.objects.filter(organisation_id=org, customer=customer)
            .select_related("person")
            .order_by("happened_on", "pk"),
            ["id", "kind", "happened_on", "person", "learned"],
        )
    participants = _participants(customer)
    if participants is not None:
        people = list(participants)
        data["portal_participants"] = _rows(
            people, ["id", "email", "name", "language", "notify", "verified_at", "created_at"]
        )
        Idea, Vote, Comment = (_model(f"ideas.{n}") for n in ("Idea", "Vote", "Comment"))
        data["ideas"] = _rows(
            Idea.objects.filter(organisation_id=org)
            .filter(Q(author__in=people) | Q(customer=customer))
            .order_by("created_at", "pk"),
            ["id", "title", "description", "status", "created_at"],
        )
        data["votes"] = _rows(
            Vote.objects.filter(organisation_id=org, participant__in=people)
            .select_related("idea")
            .order_by("created_at", "pk"),
            ["idea", "created_at"],
        )
        data["portal_comments"] = _rows(
            Comment.objects.filter(organisation_id=org, participant__in=people)
            .select_related("idea")
            .order_by("created_at", "pk"),
            ["idea", "text", "created_at"],
        )
    Assignment = _model("mystery.Assignment")
    if Assignment is not None:
        data["mystery_shop_mentions"] = _rows(
            Assignment.objects.filter(organisation_id=org)
            .filter(Q(case__customer=customer) | Q(case__feedback_id__in=ids) | _mentions(customer))
            .select_related("scenario")
            .order_by("created_at", "pk"),
            ["id", "scenario", "shopped_on", "observations", "score"],
        )
    Attribute = _model("strategy.CustomerAttribute")
    if Attribute is not None:
        data["attributes"] = _rows(
            Attribute.objects.filter(organisation_id=org, customer=customer).order_by("key"),
            ["key", "value"],
        )
        Log = _model("strategy.SegmentAssignmentLog")
        data["segment_history"] = _rows(
            Log.objects.filter(organisation_id=org, customer=customer).order_by("created_at", "pk"),
            ["created_at", "from_segment", "to_segment", "source", "reason"],
        )
        Declined = _model("strategy.DeclinedRequest")
        data["declined_requests"] = _rows(
            Declined.objects.filter(organisation_id=org, customer=customer).order_by(
                "created_at", "pk"
            ),
            ["created_at", "request", "reason"],
        )
    return data


def _csv(rows: list[dict[str, Any]]) -> str:
    from outsidein.core.spreadsheets import csv_writer

    buffer = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    writer = csv_writer(buffer)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for name in columns:
            value = row.get(name)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            cells.append("" if value is None else value)
        writer.writerow(cells)
    return buffer.getvalue()


def export_zip(customer: Customer, *, by: Any = None) -> bytes:
    """The zip a data protection officer hands over: ``customer.json`` with every section,
    one CSV per section, and a README. Recorded in the audit trail (without the data)."""
    data = export_data(customer)
    buffer = io.BytesIO()
    stamp = timezone.now().isoformat()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "customer.json",
            json.dumps({"exported_at": stamp, **data}, ensure_ascii=False, indent=2, default=str),
        )
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", "\ufeff" + _csv(rows))
        archive.writestr(
            "README.txt",
            _(
                "Everything %(org)s holds about customer %(id)s, exported %(when)s.\n"
                "customer.json holds every section; each section is also a CSV file (UTF-8).\n"
                "Sections: %(sections)s\n"
            )
            % {
                "org": customer.organisation.name,
                "id": customer.pk,
                "when": stamp,
                "sections": ", ".join(data),
            },
        )
    audit.record(
        customer.organisation_id,
        "gdpr_export",
        object_type="core.customer",
        object_id=customer.pk,
        label=f"#{customer.pk}",
        details={name: len(rows) for name, rows in data.items()},
        actor=by,
    )
    return buffer.getvalue()


def export_filename(customer: Customer) -> str:
    return f"customer-{customer.pk}-{timezone.localdate():%Y%m%d}.zip"


# --- erasure ------------------------------------------------------------------------------------


def _needles(customer: Customer, words: Iterable[str]) -> tuple[list[str], list[str]]:
    """(identity needles, words the customer wrote), longest first."""
    identity: set[str] = set()
    for value in (customer.email, customer.name, customer.phone, customer.external_id):
        if value and len(value.strip()) >= MIN_SWEEP:
            identity.add(value.strip())
    for person in customer.contact_people.all():
        for value in (person.name, person.email, person.phone):
            if value and len(value.strip()) >= MIN_SWEEP:
                identity.add(value.strip())
    texts = {w.strip() for w in words if w and len(w.strip()) >= MIN_SWEEP_WORDS}
    return sorted(identity, key=len, reverse=True), sorted(texts, key=len, reverse=True)


def _pattern(needles: list[str]) -> re.Pattern[str] | None:
    if not needles:
        return None
    alternatives = "|".join(re.escape(n) for n in needles)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    return value


def _json_forms(needle: str) -> set[str]:
    """How a needle looks inside stored JSON text (escaped, ASCII-escaped)."""
    return {needle, json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]}


# Identity tables: another customer or employee may share a name; never swept.
_IDENTITY_TABLES = {
    "core.customer",
    "core.customercontactperson",
    "core.person",
    "core.user",
    "core.organisation",
    "ideas.participant",
}


def _text_columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        and not getattr(f, "choices", None)
        and not f.primary_key
    ]


def sweep(
    organisation_id: int, identity: list[str], words: list[str], *, skip: Iterable[str] = ()
) -> dict[str, int]:
    """Replace every remaining mention in every text and JSON column of the organisation's
    tables (and of tables without an organisation: the Django admin's log, task results).
    Returns the number of rows changed per table."""
    changed: dict[str, int] = {}
    skipped = set(_IDENTITY_TABLES) | set(skip)
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skipped or model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        # The customer's words are not swept from other feedback (two customers may write
        # the same sentence); their own feedback was cleared already.
        needles = identity if label == "voice.feedback" else identity + words
        pattern = _pattern(needles)
        if pattern is None:
            continue
        # Plain SQL, one query per group of terms: the ORM spends seconds building thousands
        # of LIKE lookups, and one expression for a customer with a thousand comments would be
        # too deep for SQLite.
        terms = [
            (column, form)
            for column in columns
            for needle in needles
            for form in (_json_forms(needle) if isinstance(column, models.JSONField) else {needle})
        ]
        found: set[Any] = set()
        for start in range(0, len(terms), TERMS_PER_QUERY):
            found.update(
                _candidates(model, terms[start : start + TERMS_PER_QUERY], organisation_id)
            )
        matched = sorted(found)
        count = 0
        objects = (
            obj
            for start in range(0, len(matched), 500)
            for obj in model._default_manager.filter(pk__in=matched[start : start + 500])
        )
        for obj in objects:
            updates = []
            for column in columns:
                value = getattr(obj, column.attname)
                new = _scrub(value, pattern)
                if new != value:
                    if isinstance(new, str) and getattr(column, "max_length", None):
                        new = new[: column.max_length]
                    setattr(obj, column.attname, new)
                    updates.append(column.attname)
            if updates:
                model._default_manager.filter(pk=obj.pk).update(
                    **{name: getattr(obj, name) for name in updates}
                )
                count += 1
        if count:
            changed[label] = count
    return changed


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _candidates(
    model: type[models.Model],
    terms: list[tuple[models.Field[Any, Any], str]],
    organisation_id: int,
) -> list[Any]:
    """Primary keys of the rows (of the organisation, where the table has one) whose column
    holds one of the texts, case-insensitively."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    postgres = connection.vendor == "postgresql"
    conditions: list[str] = []
    params: list[Any] = []
    for column, text in terms:
        name = quote(str(column.column))
        if postgres:
            conditions.append(f"CAST({name} AS TEXT) ILIKE %s ESCAPE '\\'")
        else:  # SQLite's LIKE ignores case (ASCII); LOWER on both sides for the rest
            conditions.append(f"LOWER({name}) LIKE LOWER(%s) ESCAPE '\\'")
        params.append(_like(text))
    where = " OR ".join(conditions)
    scope = ""
    if any(f.name == "organisation" for f in model._meta.concrete_fields):
        scope = f"{quote('organisation_id')} = %s AND "
        params.insert(0, organisation_id)
    sql = (
        f"SELECT {quote(str(model._meta.pk.column))} FROM {table} "  # noqa: S608 (identifiers)
        f"WHERE {scope}({where})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _text_answer_keys(survey_ids: Iterable[int]) -> dict[int, set[str]]:
    Question = _model("voice.Question")
    keys: dict[int, set[str]] = {}
    for survey_id, key in Question.objects.filter(
        survey_id__in=set(survey_ids), kind="text"
    ).values_list("survey_id", "key"):
        keys.setdefault(survey_id, set()).add(key)
    return keys


def words_removed(answers: dict[str, Any], text_keys: set[str]) -> dict[str, Any]:
    """A response's answers without the ones in words (scores and choices stay)."""
    return {
        key: value
        for key, value in (answers or {}).items()
        if key not in text_keys and not (isinstance(value, str) and len(value) > 60)
    }


def _strip_sentences(sentences: Any) -> Any:
    if not isinstance(sentences, list):
        return []
    return [
        {k: v for k, v in s.items() if k != "text"} if isinstance(s, dict) else None
        for s in sentences
    ]


@transaction.atomic
def erase_customer(customer: Customer, *, by: Any = None, reason: str = "") -> dict[str, int]:
    """Erase one customer (see the module's docstring). Returns counts of what changed; the
    audit trail gets those counts, never the erased values."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    org = customer.organisation_id
    counts: dict[str, int] = {}
    Feedback = _model("voice.Feedback")
    feedback = list(Feedback.objects.filter(organisation_id=org, customer=customer))
    ids = [f.pk for f in feedback]
    participants = _participants(customer)
    people = list(participants) if participants is not None else []

    # The words they wrote, everywhere they were written.
    words: list[str] = []
    for item in feedback:
        words += [item.comment, item.subject]
        words += [v for v in (item.answers or {}).values() if isinstance(v, str)]
    Idea, Comment = _model("ideas.Idea"), _model("ideas.Comment")
    ideas = []
    if Idea is not None:
        ideas = list(
            Idea.objects.filter(organisation_id=org).filter(
                Q(author__in=people) | Q(customer=customer)
            )
        )
        for idea in ideas:
            words += [idea.title, idea.description]
        for text in Comment.objects.filter(participant__in=people).values_list("text", flat=True):
            words.append(text)
    words += [p.name for p in people] + [p.email for p in people]
    identity, texts = _needles(customer, words)
    for person in people:
        if person.email and person.email not in identity:
            identity.append(person.email)
        if person.name and len(person.name) >= MIN_SWEEP and person.name not in identity:
            identity.append(person.name)

    # Feedback: scores stay, words and the sender's id go (a few statements, not one per row).
    text_keys = _text_answer_keys({f.survey_id for f in feedback if f.survey_id})
    mine = Feedback.objects.filter(pk__in=ids)
    mine.update(comment="", subject="")
    mine.exclude(external_id="").update(
        external_id=Concat(Value("erased-"), Cast("pk", output_field=models.CharField()))
    )
    groups: dict[str, list[int]] = {}
    for item in feedback:
        kept = words_removed(item.answers, text_keys.get(item.survey_id or 0, set()))
        if kept != (item.answers or {}):
            groups.setdefault(json.dumps(kept, sort_keys=True), []).append(item.pk)
    for kept_json, pks in groups.items():
        for start in range(0, len(pks), 500):
            Feedback.objects.filter(pk__in=pks[start : start + 500]).update(
                answers=json.loads(kept_json)
            )
    counts["feedback"] = len(feedback)
    Analysis, Example = _model("text.FeedbackAnalysis"), _model("text.TrainingExample")
    if Analysis is not None:
        for analysis in Analysis.objects.filter(organisation_id=org, feedback_id__in=ids):
            analysis.sentences = _strip_sentences(analysis.sentences)
            analysis.save(update_fields=["sentences"])
        counts["training_examples"] = Example.objects.filter(
            organisation_id=org, feedback_id__in=ids
        ).delete()[0]
    Delivery = _model("voice.Delivery")
    for delivery in Delivery.objects.filter(organisation_id=org, payload__data__id__in=ids):
        delivery.payload = {
            "type": delivery.payload.get("type"),
            "timestamp": delivery.payload.get("timestamp"),
            "data": {"id": delivery.payload.get("data", {}).get("id"), "erased": True},
        }
        delivery.save(update_fields=["payload"])

    # The queue, contacts and decisions.
    Case = _model("practice.Case")
    if Case is not None:
        cases = Case.objects.filter(organisation_id=org).filter(
            Q(customer=customer) | Q(feedback_id__in=ids)
        )
        case_ids = list(cases.values_list("pk", flat=True))
        counts["cases"] = cases.update(subject=ERASED)
        _model("practice.CaseNote").objects.filter(case_id__in=case_ids).update(text=ERASED)
        counts["contacts"] = (
            _model("practice.Contact")
            .objects.filter(organisation_id=org, customer=customer)
            .exclude(learned="")
            .update(learned=ERASED)
        )
        _model("practice.Evidence").objects.filter(
            organisation_id=org, kind="feedback", ref_id__in=ids
        ).update(label=ERASED)
    for label in ("strategy.NeedTag", "strategy.TouchpointLink"):
        model = _model(label)
        if model is not None:
            model._default_manager.filter(
                organisation_id=org, kind="feedback", ref_id__in=ids
            ).update(label="")
    Attribute = _model("strategy.CustomerAttribute")
    if Attribute is not None:
        counts["attributes"] = Attribute.objects.filter(customer=customer).delete()[0]
        _model("strategy.DeclinedRequest").objects.filter(customer=customer).update(request=ERASED)

    # The ideas portal: the participant is erased, their words too; votes still count.
    if Idea is not None:
        for idea in ideas:
            idea.title = _("Idea removed at the customer's request")[:200]
            idea.description = ERASED
        Idea.objects.bulk_update(ideas, ["title", "description"])
        Comment.objects.filter(participant__in=people).update(text=ERASED)
        for person in people:
            person.email = f"erased-{person.pk}@erased.invalid"
            person.name = ""
            person.customer = None
            person.contact_person = None
            person.notify = False
            person.save(
                update_fields=[
                    "email",
                    "name",
                    "customer",
                    "contact_person",
                    "notify",
                    "updated_at",
                ]
            )
        counts["portal_participants"] = len(people)

    # The audit trail: entries about them keep what happened, not the values.
    from outsidein.audit.models import AuditEntry

    about = AuditEntry.objects.filter(organisation_id=org).filter(
        Q(object_type="core.customer", object_id=str(customer.pk))
        | Q(object_type="voice.feedback", object_id__in=[str(i) for i in ids])
        | Q(details__customer_id=customer.pk)
    )
    for entry in about:
        entry.changes = {name: [ERASED, ERASED] for name in entry.changes}
        entry.object_label = ERASED
        entry.save(update_fields=["changes", "object_label"])

    # The customer record becomes an anonymous husk that keeps the figures' links.
    counts["contact_people"] = CustomerContactPerson.objects.filter(customer=customer).count()
    ConsentEvent = _model("privacy.ConsentEvent")
    now = timezone.now()
    for kind, given in (
        ("surveys", customer.consent_surveys),
        ("marketing", customer.consent_marketing),
        ("updates", customer.consent_updates),
    ):
        if given and ConsentEvent is not None:
            ConsentEvent.objects.create(
                organisation_id=org,
                customer=customer,
                kind=kind,
                given=False,
                source="erasure",
                at=now,
            )
    # Sweep before the husk loses the values the sweep looks for (they are in ``identity``).
    CustomerContactPerson.objects.filter(customer=customer).delete()
    with translation.override(customer.organisation.language):
        name = _("Erased customer #%(id)s") % {"id": customer.pk}
    Customer.objects.filter(pk=customer.pk).update(
        name=name[:200],
        email="",
        phone="",
        city="",
        external_id="",
        consent_surveys=False,
        consent_marketing=False,
        consent_updates=False,
        consent_updated_at=now,
        updated_at=now,
    )
    swept = sweep(org, identity, texts)
    counts["other_mentions"] = sum(swept.values())
    audit.record(
        org,
        "erase",
        object_type="core.customer",
        object_id=customer.pk,
        label=name,
        reason=reason,
        details=counts,
        actor=by,
    )
    return counts


def iter_customers(organisation: Organisation, number: str) -> Iterator[Customer]:
    yield from Customer.objects.filter(organisation=organisation, external_id=number)
