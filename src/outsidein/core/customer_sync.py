"""Bulk customer sync for CRMs: upsert up to ``MAX_ROWS`` customers by external number in one call.

Each row is checked on its own: a bad row is rejected (naming the field and the reason) and every
valid row is kept. A row that matches what is stored changes nothing and reports "unchanged", so
sending the same body twice is harmless. The queries do not grow with the number of rows: the
customers, segments, attributes and contact people of the whole call are read in one query each
and written with bulk statements.

Sync semantics per field: a field that is absent is left as it is; ``attributes`` and
``contact_persons``, when given, are the complete set (keys or people not listed are removed);
``segment`` is a segment's name (case-insensitive) or ``segment_id`` its id, ``null`` clears it;
``consent`` gives any of ``surveys``/``marketing``/``updates`` with the ``source`` and time
(``at``) of the customer's choice, recorded in the consent history when it changes something.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from outsidein import audit
from outsidein.core.dates import MAX_YEAR, MIN_YEAR
from outsidein.core.models import Customer, CustomerContactPerson, Organisation, Segment

MAX_ROWS = 1000
BATCH = 500

SCALAR_FIELDS = ("name", "kind", "email", "phone", "language", "city")
ROW_KEYS = {
    "external_id",
    *SCALAR_FIELDS,
    "segment",
    "segment_id",
    "attributes",
    "contact_persons",
    "consent",
}
CONTACT_KEYS = ("name", "email", "phone", "job_title", "language", "is_primary")
CONSENT_FIELDS = {
    "surveys": "consent_surveys",
    "marketing": "consent_marketing",
    "updates": "consent_updates",
}
MAX_ATTRIBUTES = 50
MAX_CONTACTS = 50
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


class TooManyRows(Exception):
    """More rows than one call may hold."""


class Conflict(Exception):
    """Another call created one of these customers at the same moment; nothing was saved."""


@dataclass
class RowResult:
    row: int
    external_id: str
    status: str  # created | updated | unchanged | rejected
    id: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class SyncResult:
    rows: list[RowResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("created", "updated", "unchanged", "rejected")}


class _Reject(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


@dataclass
class _Plan:
    """One valid row, parsed: what to set on the customer and its related records."""

    index: int
    external_id: str
    scalars: dict[str, Any]
    segment: Any = ...  # ... = leave; None = clear; else a Segment id
    attributes: dict[str, str] | None = None
    contacts: list[dict[str, Any]] | None = None
    consent: dict[str, bool] | None = None
    consent_source: str = "api"
    consent_at: datetime | None = None


# --- parsing one row ---------------------------------------------------------------------------


def _text(row: Mapping[str, Any], name: str, maximum: int, *, prefix: str = "") -> str:
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Reject(prefix + name, _("Give text."))
    value = value.strip()
    if "\x00" in value:
        raise _Reject(prefix + name, _("Text may not contain NUL characters."))
    if len(value) > maximum:
        raise _Reject(prefix + name, _("At most %(n)s characters.") % {"n": maximum})
    return value


def _email(row: Mapping[str, Any], name: str, *, prefix: str = "") -> str:
    from django.core.validators import validate_email

    value = _text(row, name, 254, prefix=prefix)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise _Reject(prefix + name, _("Not a valid email address.")) from None
    return value


def _choice(row: Mapping[str, Any], name: str, allowed: Sequence[str], *, prefix: str = "") -> str:
    value = row.get(name)
    if value not in allowed:
        raise _Reject(
            prefix + name, _("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}
        )
    return str(value)


def _parse(index: int, row: Any, segments_by_name: dict[str, int], segment_ids: set[int]) -> _Plan:
    if not isinstance(row, Mapping):
        raise _Reject("row", _("Each row must be a JSON object."))
    unknown = sorted(set(row) - ROW_KEYS)
    if unknown:
        raise _Reject(unknown[0], _("Unknown field."))
    external_id = _text(row, "external_id", 100)
    if not external_id:
        raise _Reject("external_id", _("Give the customer's number in your systems."))
    scalars: dict[str, Any] = {}
    if "name" not in row or not _text(row, "name", 200):
        raise _Reject("name", _("Give the customer's name."))
    scalars["name"] = _text(row, "name", 200)
    if "kind" in row:
        scalars["kind"] = _choice(row, "kind", ("business", "consumer"))
    if "email" in row:
        scalars["email"] = _email(row, "email")
    if "phone" in row:
        scalars["phone"] = _text(row, "phone", 40)
    if "city" in row:
        scalars["city"] = _text(row, "city", 100)
    if "language" in row:
        scalars["language"] = _choice(row, "language", ("nl", "en"))
    plan = _Plan(index=index, external_id=external_id, scalars=scalars)
    if "segment" in row and "segment_id" in row:
        raise _Reject("segment", _("Give segment or segment_id, not both."))
    if "segment_id" in row:
        value = row["segment_id"]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value not in segment_ids
        ):
            raise _Reject("segment_id", _("There is no segment with this id."))
        plan.segment = value
    elif "segment" in row:
        name = row["segment"]
        if name is None or name == "":
            plan.segment = None
        elif not isinstance(name, str) or name.strip().lower() not in segments_by_name:
            raise _Reject("segment", _("There is no segment with this name."))
        else:
            plan.segment = segments_by_name[name.strip().lower()]
    if "attributes" in row:
        plan.attributes = _attributes(row["attributes"])
    if "contact_persons" in row:
        plan.contacts = _contacts(row["contact_persons"])
    if "consent" in row:
        _consent(row["consent"], plan)
    return plan


def _attributes(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _Reject("attributes", _("Give an object of names and values."))
    if len(value) > MAX_ATTRIBUTES:
        raise _Reject("attributes", _("At most %(n)s attributes.") % {"n": MAX_ATTRIBUTES})
    out: dict[str, str] = {}
    for key, raw in value.items():
        if not isinstance(key, str) or not _SLUG.match(key):
            raise _Reject(
                f"attributes.{key}",
                _("Attribute names are letters, digits, - and _ (at most 40)."),
            )
        if isinstance(raw, bool) or raw is None or not isinstance(raw, str | int | float):
            raise _Reject(f"attributes.{key}", _("Give text or a number."))
        text = str(raw).strip()
        if len(text) > 200 or "\x00" in text:
            raise _Reject(f"attributes.{key}", _("At most %(n)s characters.") % {"n": 200})
        out[key.lower()] = text
    return out


def _contacts(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Reject("contact_persons", _("Give a list of contact persons."))
    if len(value) > MAX_CONTACTS:
        raise _Reject("contact_persons", _("At most %(n)s contact persons.") % {"n": MAX_CONTACTS})
    out = []
    seen: set[str] = set()
    for n, item in enumerate(value):
        prefix = f"contact_persons.{n}."
        if not isinstance(item, Mapping):
            raise _Reject(prefix[:-1], _("Each contact person must be a JSON object."))
        unknown = sorted(set(item) - set(CONTACT_KEYS))
        if unknown:
            raise _Reject(prefix + unknown[0], _("Unknown field."))
        name = _text(item, "name", 200, prefix=prefix)
        if not name:
            raise _Reject(prefix + "name", _("Give the contact person's name."))
        contact = {
            "name": name,
            "email": _email(item, "email", prefix=prefix),
            "phone": _text(item, "phone", 40, prefix=prefix),
            "job_title": _text(item, "job_title", 120, prefix=prefix),
            "language": (
                _choice(item, "language", ("nl", "en"), prefix=prefix)
                if "language" in item
                else "nl"
            ),
            "is_primary": item.get("is_primary", False),
        }
        if not isinstance(contact["is_primary"], bool):
            raise _Reject(prefix + "is_primary", _("Give true or false."))
        key = _contact_key(contact)
        if key in seen:
            raise _Reject(prefix + "email", _("This contact person is listed twice."))
        seen.add(key)
        out.append(contact)
    if sum(1 for c in out if c["is_primary"]) > 1:
        raise _Reject("contact_persons", _("Mark at most one contact person as primary."))
    return out


def _contact_key(contact: Mapping[str, Any]) -> str:
    """Contact people are matched by email address, or by name when they have none."""
    email = (contact.get("email") or "").lower()
    return f"e:{email}" if email else f"n:{contact['name'].lower()}"


def _consent(value: Any, plan: _Plan) -> None:
    from outsidein.privacy.models import ConsentSource

    if not isinstance(value, Mapping):
        raise _Reject("consent", _("Give an object with surveys, marketing, updates."))
    unknown = sorted(set(value) - {*CONSENT_FIELDS, "source", "at"})
    if unknown:
        raise _Reject(f"consent.{unknown[0]}", _("Unknown field."))
    given: dict[str, bool] = {}
    for key, column in CONSENT_FIELDS.items():
        if key in value:
            if not isinstance(value[key], bool):
                raise _Reject(f"consent.{key}", _("Give true or false."))
            given[column] = value[key]
    source = value.get("source", ConsentSource.API)
    if source not in ConsentSource.values:
        raise _Reject(
            "consent.source",
            _("Choose one of: %(values)s.") % {"values": ", ".join(ConsentSource.values)},
        )
    at = None
    if value.get("at") is not None:
        raw = value["at"]
        try:
            at = parse_datetime(raw) if isinstance(raw, str) else None
        except ValueError:
            at = None
        if at is None:
            raise _Reject("consent.at", _("Give a date and time like 2026-12-04T09:30:00Z."))
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if not (MIN_YEAR <= at.year <= MAX_YEAR) or at > timezone.now() + timedelta(days=1):
            raise _Reject("consent.at", _("This time is in the future or out of range."))
    plan.consent = given
    plan.consent_source = str(source)
    plan.consent_at = at


# --- the sync ----------------------------------------------------------------------------------


def sync_customers(organisation: Organisation, rows: Sequence[Any]) -> SyncResult:
    """Upsert ``rows`` (see the module docstring); one transaction, all valid rows kept."""
    if len(rows) > MAX_ROWS:
        raise TooManyRows(
            _("At most %(max)s customers per call; this call has %(n)s. Send them in parts.")
            % {"max": MAX_ROWS, "n": len(rows)}
        )
    try:
        with transaction.atomic():
            return _sync(organisation, rows)
    except IntegrityError:
        raise Conflict(
            _(
                "Another call changed some of these customers at the same moment; nothing of "
                "this call was saved. Send it again."
            )
        ) from None


def _sync(organisation: Organisation, rows: Sequence[Any]) -> SyncResult:
    from outsidein.strategy.models import CustomerAttribute

    results: list[RowResult] = []
    segments = list(Segment.objects.filter(organisation=organisation).values_list("pk", "name"))
    by_name = {name.lower(): pk for pk, name in segments}
    segment_ids = {pk for pk, _name in segments}
    plans: list[_Plan] = []
    first_row: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = row.get("external_id") if isinstance(row, Mapping) else None
        result = RowResult(
            row=index, external_id=number if isinstance(number, str) else "", status=""
        )
        results.append(result)
        try:
            plan = _parse(index, row, by_name, segment_ids)
            if plan.external_id in first_row:
                raise _Reject(
                    "external_id",
                    _("This number is also in row %(row)s of this call.")
                    % {"row": first_row[plan.external_id]},
                )
            first_row[plan.external_id] = index
            result.external_id = plan.external_id
            plans.append(plan)
        except _Reject as exc:
            result.status = "rejected"
            result.errors.append({"field": exc.field, "reason": exc.reason})

    existing = {
        c.external_id: c
        for c in Customer.objects.filter(
            organisation=organisation, external_id__in=[p.external_id for p in plans]
        )
    }
    known_ids = [c.pk for c in existing.values()]
    attributes: dict[int, dict[str, CustomerAttribute]] = {}
    if any(p.attributes is not None for p in plans) and known_ids:
        for attribute in CustomerAttribute.objects.filter(
            organisation=organisation, customer_id__in=known_ids
        ):
            attributes.setdefault(attribute.customer_id, {})[attribute.key] = attribute
    contacts: dict[int, list[CustomerContactPerson]] = {}
    if any(p.contacts is not None for p in plans) and known_ids:
        for contact in CustomerContactPerson.objects.filter(
            organisation=organisation, customer_id__in=known_ids
        ).order_by("pk"):
            contacts.setdefault(contact.customer_id, []).append(contact)

    now = timezone.now()
    to_create: list[tuple[_Plan, Customer]] = []
    to_update: list[tuple[_Plan, Customer]] = []
    update_fields: set[str] = set()
    consent_changes: list[tuple[Customer, dict[str, bool] | None, _Plan]] = []
    for plan in plans:
        result = results[plan.index]
        customer = existing.get(plan.external_id)
        is_new = customer is None
        if customer is None:
            customer = Customer(organisation=organisation, external_id=plan.external_id)
        if plan.contacts and plan.scalars.get("kind", customer.kind) != "business":
            result.status = "rejected"
            result.errors.append(
                {
                    "field": "contact_persons",
                    "reason": _("Only business customers have contact people."),
                }
            )
            continue
        kept = {name: getattr(customer, name) for name in _COLUMNS}
        changed, consent_before = _apply(customer, plan, now, is_new)
        try:
            customer.clean_fields(exclude=["organisation", "segment"])
        except ValidationError as exc:
            for name, value in kept.items():  # leave the stored customer as it was
                setattr(customer, name, value)
            name, messages = next(iter(exc.message_dict.items()))
            result.status = "rejected"
            result.errors.append({"field": name, "reason": " ".join(messages)})
            continue
        if changed:
            update_fields.update(name for name in _COLUMNS if getattr(customer, name) != kept[name])
        if consent_before is not None or is_new:
            consent_changes.append((customer, consent_before, plan))
        related = _related_changes(customer, plan, attributes, contacts)
        if is_new:
            to_create.append((plan, customer))
            result.status = "created"
        elif changed or related:
            to_update.append((plan, customer))
            result.status = "updated"
        else:
            result.status = "unchanged"
            result.id = customer.pk

    created = Customer.objects.bulk_create([c for _p, c in to_create], batch_size=BATCH)
    for (plan, _customer), saved in zip(to_create, created, strict=True):
        results[plan.index].id = saved.pk
    if to_update:
        fields = sorted({"segment" if f == "segment_id" else f for f in update_fields})
        fields.append("updated_at")
        for _plan, customer in to_update:
            customer.updated_at = now
            results[_plan.index].id = customer.pk
        Customer.objects.bulk_update([c for _p, c in to_update], fields, batch_size=BATCH)

    written = [*to_create, *to_update]
    _write_attributes(organisation, written, attributes)
    _write_contacts(organisation, written, contacts)
    _write_consent(organisation, consent_changes, results)
    outcome = SyncResult(results)
    audit.record(
        organisation,
        "import",
        object_type="core.customer",
        label=_("Customer sync (PUT /customers/bulk)"),
        details={"rows": len(rows), **outcome.counts},
    )
    return outcome


_COLUMNS = (
    *SCALAR_FIELDS,
    "segment_id",
    *CONSENT_FIELDS.values(),
    "consent_updated_at",
)


def _apply(
    customer: Customer, plan: _Plan, now: datetime, is_new: bool
) -> tuple[bool, dict[str, bool] | None]:
    """Set the row's values on the customer. Returns whether a stored column changes, and the
    consents before the change when the row changes one (None otherwise)."""
    changed = False
    for name, value in plan.scalars.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed = True
    if plan.segment is not ... and customer.segment_id != plan.segment:
        customer.segment_id = plan.segment
        changed = True
    consent_before = None
    if plan.consent:
        before = {column: bool(getattr(customer, column)) for column in CONSENT_FIELDS.values()}
        if is_new or any(before[c] != v for c, v in plan.consent.items()):
            for column, value in plan.consent.items():
                setattr(customer, column, value)
            customer.consent_updated_at = plan.consent_at or now
            changed = True
            consent_before = None if is_new else before
    return changed, consent_before


def _related_changes(
    customer: Customer,
    plan: _Plan,
    attributes: dict[int, dict[str, Any]],
    contacts: dict[int, list[CustomerContactPerson]],
) -> bool:
    if plan.attributes is not None:
        stored = {k: a.value for k, a in attributes.get(customer.pk or 0, {}).items()}
        if stored != plan.attributes:
            return True
    if plan.contacts is not None:
        stored_contacts = sorted(
            (
                _contact_key({"name": c.name, "email": c.email}),
                tuple(getattr(c, k) for k in CONTACT_KEYS),
            )
            for c in contacts.get(customer.pk or 0, [])
        )
        wanted = sorted((_contact_key(c), tuple(c[k] for k in CONTACT_KEYS)) for c in plan.contacts)
        if stored_contacts != wanted:
            return True
    return False


def _write_attributes(
    organisation: Organisation,
    written: list[tuple[_Plan, Customer]],
    stored: dict[int, dict[str, Any]],
) -> None:
    from outsidein.strategy.models import CustomerAttribute

    create: list[CustomerAttribute] = []
    update: list[CustomerAttribute] = []
    delete: list[int] = []
    for plan, customer in written:
        if plan.attributes is None:
            continue
        have = stored.get(customer.pk, {})
        for key, attribute in have.items():
            if key not in plan.attributes:
                delete.append(attribute.pk)
            elif attribute.value != plan.attributes[key]:
                attribute.value = plan.attributes[key]
                update.append(attribute)
        for key, value in plan.attributes.items():
            if key not in have:
                create.append(
                    CustomerAttribute(
                        organisation=organisation, customer_id=customer.pk, key=key, value=value
                    )
                )
    if delete:
        CustomerAttribute.objects.filter(pk__in=delete).delete()
    if update:
        CustomerAttribute.objects.bulk_update(update, ["value"], batch_size=BATCH)
    if create:
        CustomerAttribute.objects.bulk_create(create, batch_size=BATCH)


def _write_contacts(
    organisation: Organisation,
    written: list[tuple[_Plan, Customer]],
    stored: dict[int, list[CustomerContactPerson]],
) -> None:
    create: list[CustomerContactPerson] = []
    update: list[CustomerContactPerson] = []
    delete: list[int] = []
    for plan, customer in written:
        if plan.contacts is None:
            continue
        have = {
            _contact_key({"name": c.name, "email": c.email}): c for c in stored.get(customer.pk, [])
        }
        wanted = {_contact_key(c): c for c in plan.contacts}
        for key, contact in have.items():
            if key not in wanted:
                delete.append(contact.pk)
                continue
            values = wanted[key]
            if any(getattr(contact, k) != values[k] for k in CONTACT_KEYS):
                for k in CONTACT_KEYS:
                    setattr(contact, k, values[k])
                update.append(contact)
        for key, values in wanted.items():
            if key not in have:
                create.append(
                    CustomerContactPerson(
                        organisation=organisation, customer_id=customer.pk, **values
                    )
                )
    if delete:
        CustomerContactPerson.objects.filter(pk__in=delete).delete()
    if update:
        CustomerContactPerson.objects.bulk_update(update, list(CONTACT_KEYS), batch_size=BATCH)
    if create:
        CustomerContactPerson.objects.bulk_create(create, batch_size=BATCH)


def _write_consent(
    organisation: Organisation,
    changes: list[tuple[Customer, dict[str, bool] | None, _Plan]],
    results: list[RowResult],
) -> None:
    """The consent history: for a new customer each consent given, for a known one each
    consent that changed, with the row's source and time (as privacy.record_consent does)."""
    from outsidein.privacy.models import ConsentEvent, ConsentKind

    kinds = {
        "consent_surveys": ConsentKind.SURVEYS,
        "consent_marketing": ConsentKind.MARKETING,
        "consent_updates": ConsentKind.UPDATES,
    }
    events = []
    now = timezone.now()
    for customer, before, plan in changes:
        if results[plan.index].status not in {"created", "updated"}:
            continue
        for column, kind in kinds.items():
            given = bool(getattr(customer, column))
            if before is None and not given:
                continue
            if before is not None and before[column] == given:
                continue
            events.append(
                ConsentEvent(
                    organisation=organisation,
                    customer_id=customer.pk,
                    kind=kind,
                    given=given,
                    source=plan.consent_source,
                    at=plan.consent_at or now,
                )
            )
    if events:
        ConsentEvent.objects.bulk_create(events, batch_size=BATCH)


def response_message(result: SyncResult) -> str:
    counts = result.counts
    if counts["rejected"]:
        return _(
            "%(ok)s rows were saved (created, updated or unchanged); %(bad)s rows were rejected "
            "and saved nothing: see each row's errors. Every valid row was kept."
        ) % {"ok": len(result.rows) - counts["rejected"], "bad": counts["rejected"]}
    return _("All %(n)s rows were saved.") % {"n": len(result.rows)}
