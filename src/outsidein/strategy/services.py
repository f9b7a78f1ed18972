"""The strategy app's domain operations: every write goes through here. Each function validates
fully (``ValidationError`` naming the field) and writes in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outsidein.core.models import Customer, Organisation, Person, Segment
from outsidein.strategy import rules as rule_logic
from outsidein.strategy.models import (
    AssignmentSource,
    CustomerAttribute,
    DeclinedRequest,
    ItemKind,
    Journey,
    LinkKind,
    Need,
    NeedTag,
    Process,
    RequestSource,
    SegmentAssignmentLog,
    SegmentRule,
    SegmentStrategy,
    Stage,
    Touchpoint,
    TouchpointLink,
)

M = TypeVar("M", bound=models.Model)

STRATEGY_FIELDS = ("priority", "value_discipline", "proposition", "desired_experience")
RULE_FIELDS = ("name", "segment", "position", "conditions", "is_active")
NEED_FIELDS = ("segment", "name", "description", "stance", "reason")
DECLINED_FIELDS = (
    "request",
    "source",
    "ref_id",
    "need",
    "segment",
    "customer",
    "reason",
    "customer_told",
    "decided_on",
)
JOURNEY_FIELDS = ("segment", "name", "description")
STAGE_FIELDS = ("name", "kind", "position")
TOUCHPOINT_FIELDS = (
    "stage",
    "name",
    "channel",
    "team",
    "moment_that_matters",
    "expected_experience",
    "measure",
    "position",
)
PROCESS_FIELDS = ("name", "team", "description")


def _save(obj: M, changes: dict[str, Any], allowed: Iterable[str]) -> M:
    allowed = set(allowed)
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    with transaction.atomic():
        obj.save()
    return obj


# --- segment strategy ----------------------------------------------------------------------


def strategy_for(segment: Segment) -> SegmentStrategy:
    """The segment's strategy, created empty (priority "maintain") the first time."""
    found, _created = SegmentStrategy.objects.get_or_create(
        segment=segment, defaults={"organisation_id": segment.organisation_id}
    )
    return found


def update_strategy(segment: Segment, **changes: Any) -> SegmentStrategy:
    return _save(strategy_for(segment), changes, STRATEGY_FIELDS)


# --- segment rules -------------------------------------------------------------------------


def _clean_conditions(changes: dict[str, Any]) -> None:
    if "conditions" in changes:
        try:
            changes["conditions"] = rule_logic.validate(changes["conditions"])
        except rule_logic.RuleError as exc:
            raise ValidationError({"conditions": exc.messages}) from None


def create_rule(organisation: Organisation, **fields: Any) -> SegmentRule:
    fields.setdefault("conditions", [])
    _clean_conditions(fields)
    if "position" not in fields or fields["position"] is None:
        last = SegmentRule.objects.filter(organisation=organisation).aggregate(
            top=models.Max("position")
        )["top"]
        fields["position"] = (last or 0) + 10
    return _save(SegmentRule(organisation=organisation), fields, RULE_FIELDS)


def update_rule(rule: SegmentRule, **changes: Any) -> SegmentRule:
    _clean_conditions(changes)
    return _save(rule, changes, RULE_FIELDS)


def delete_rule(rule: SegmentRule) -> None:
    rule.delete()


def active_rules(organisation_id: int) -> list[rule_logic.Rule]:
    """The active rules in order; a stored rule that no longer validates is skipped."""
    found = []
    for rule in SegmentRule.objects.filter(organisation_id=organisation_id, is_active=True):
        try:
            conditions = rule_logic.validate(rule.conditions)
        except rule_logic.RuleError:
            continue
        found.append(rule_logic.Rule(rule.pk, rule.name, rule.segment_id, conditions))
    return found


def pinned_customer_ids(organisation_id: int) -> set[int]:
    """Customers whose latest manual log entry is an override (not lifted)."""
    latest: dict[int, str] = {}
    rows = (
        SegmentAssignmentLog.objects.filter(organisation_id=organisation_id)
        .exclude(source=AssignmentSource.RULE)
        .order_by("customer_id", "created_at", "pk")
        .values_list("customer_id", "source")
    )
    for customer_id, source in rows:
        latest[customer_id] = source
    return {cid for cid, source in latest.items() if source == AssignmentSource.MANUAL}


def customer_facts(organisation_id: int) -> list[rule_logic.Facts]:
    """Every customer as the rules see them: two queries, whatever the number of customers."""
    attributes: dict[int, dict[str, str]] = {}
    for customer_id, key, value in CustomerAttribute.objects.filter(
        organisation_id=organisation_id
    ).values_list("customer_id", "key", "value"):
        attributes.setdefault(customer_id, {})[key] = value
    pinned = pinned_customer_ids(organisation_id)
    return [
        rule_logic.Facts(
            customer_id=pk,
            kind=kind,
            city=city,
            language=language,
            attributes=attributes.get(pk, {}),
            segment_id=segment_id,
            pinned=pk in pinned,
            name=name,
        )
        for pk, kind, city, language, segment_id, name in Customer.objects.filter(
            organisation_id=organisation_id
        )
        .order_by("pk")
        .values_list("pk", "kind", "city", "language", "segment_id", "name")
    ]


def dry_run(organisation_id: int) -> rule_logic.Evaluation:
    return rule_logic.evaluate(active_rules(organisation_id), customer_facts(organisation_id))


def apply_rules(
    organisation: Organisation,
    *,
    by: Person | None = None,
    report: Callable[[int, str], None] | None = None,
) -> dict[str, int]:
    """Re-evaluate every customer against the rules and move those whose segment changes;
    each move is logged. Pinned customers (a manual override) are left alone."""
    report = report or (lambda percent, message: None)
    report(5, _("Reading customers and rules"))
    evaluation = dry_run(organisation.pk)
    report(40, _("%(n)s customers change segment") % {"n": len(evaluation.changes)})
    by_target: dict[int, list[int]] = {}
    for customer_id, (_old, new, _rule) in evaluation.changes.items():
        by_target.setdefault(new, []).append(customer_id)
    with transaction.atomic():
        for number, (segment_id, ids) in enumerate(sorted(by_target.items()), start=1):
            for start in range(0, len(ids), 500):
                Customer.objects.filter(
                    organisation=organisation, pk__in=ids[start : start + 500]
                ).update(segment_id=segment_id)
            report(40 + int(50 * number / max(len(by_target), 1)), "")
        now = timezone.now()
        SegmentAssignmentLog.objects.bulk_create(
            [
                SegmentAssignmentLog(
                    organisation=organisation,
                    customer_id=customer_id,
                    from_segment_id=old,
                    to_segment_id=new,
                    source=AssignmentSource.RULE,
                    rule_id=rule_id,
                    by=by,
                    created_at=now,
                )
                for customer_id, (old, new, rule_id) in evaluation.changes.items()
            ],
            batch_size=1000,
        )
    result = {
        "changed": len(evaluation.changes),
        "matched": len(evaluation.assigned),
        "unmatched": evaluation.unmatched,
        "pinned": evaluation.pinned_skipped,
        "overlaps": sum(o.count for o in evaluation.overlaps),
    }
    report(
        100,
        _(
            "%(changed)s customers moved; %(pinned)s placed by hand left alone; "
            "%(overlaps)s in overlapping rules"
        )
        % result,
    )
    return result


def override_segment(
    customer: Customer, segment: Segment | None, *, by: Person | None, reason: str
) -> SegmentAssignmentLog:
    """Put a customer in a segment by hand; the rules leave them there until released."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the customer is placed by hand.")})
    if segment is not None and segment.organisation_id != customer.organisation_id:
        raise ValidationError({"segment": _("This belongs to another organisation.")})
    with transaction.atomic():
        entry = SegmentAssignmentLog.objects.create(
            organisation_id=customer.organisation_id,
            customer=customer,
            from_segment_id=customer.segment_id,
            to_segment=segment,
            source=AssignmentSource.MANUAL,
            by=by,
            reason=reason.strip(),
        )
        Customer.objects.filter(pk=customer.pk).update(segment=segment)
        customer.segment = segment
    return entry


def release_override(
    customer: Customer, *, by: Person | None, reason: str = ""
) -> SegmentAssignmentLog:
    """Let the rules decide again for this customer (from the next evaluation on)."""
    return SegmentAssignmentLog.objects.create(
        organisation_id=customer.organisation_id,
        customer=customer,
        from_segment_id=customer.segment_id,
        to_segment_id=customer.segment_id,
        source=AssignmentSource.RELEASED,
        by=by,
        reason=reason.strip(),
    )


def set_attribute(customer: Customer, key: str, value: str) -> CustomerAttribute | None:
    """Set (or with an empty value remove) a custom attribute the rules can use."""
    key = key.strip().lower()
    if not rule_logic._ATTR.match(f"attr:{key}"):
        raise ValidationError(
            {"key": _("Use lower-case letters, digits, - and _ (at most 40), e.g. size.")}
        )
    if not value.strip():
        CustomerAttribute.objects.filter(customer=customer, key=key).delete()
        return None
    attribute, _created = CustomerAttribute.objects.update_or_create(
        customer=customer,
        key=key,
        defaults={"value": value.strip()[:200], "organisation_id": customer.organisation_id},
    )
    return attribute


# --- needs and the "no" register -------------------------------------------------------------


def create_need(organisation: Organisation, **fields: Any) -> Need:
    return _save(Need(organisation=organisation), fields, NEED_FIELDS)


def update_need(need: Need, **changes: Any) -> Need:
    return _save(need, changes, NEED_FIELDS)


def delete_need(need: Need) -> None:
    need.delete()


def _label(organisation_id: int, kind: str, ref_id: int) -> str | None:
    """The label of a referenced item of this organisation, or None when there is none."""
    from outsidein.ideas.models import Idea
    from outsidein.mystery.models import Scenario
    from outsidein.practice.models import Case
    from outsidein.voice.models import Feedback, Survey

    if kind == "feedback":
        feedback = Feedback.objects.filter(organisation_id=organisation_id, pk=ref_id).first()
        if feedback is None:
            return None
        text = feedback.subject or feedback.comment or feedback.get_kind_display()
        return f"#{feedback.pk} {text}"[:200]
    sources: dict[str, tuple[type[models.Model], str]] = {
        "idea": (Idea, "title"),
        "survey": (Survey, "name"),
        "case": (Case, "subject"),
        "scenario": (Scenario, "name"),
    }
    if kind not in sources:
        return None
    model, attribute = sources[kind]
    found = model._default_manager.filter(organisation_id=organisation_id, pk=ref_id).first()
    return f"#{ref_id} {getattr(found, attribute)}"[:200] if found is not None else None


def tag_need(need: Need, *, kind: str, ref_id: int, by: Person | None = None) -> NeedTag:
    if kind not in ItemKind.values:
        raise ValidationError({"kind": _("Choose feedback or idea.")})
    label = _label(need.organisation_id, kind, ref_id)
    if label is None:
        raise ValidationError(
            {"ref_id": _("There is no such item with id %(id)s.") % {"id": ref_id}}
        )
    tag, _created = NeedTag.objects.get_or_create(
        need=need,
        kind=kind,
        ref_id=ref_id,
        defaults={"organisation_id": need.organisation_id, "label": label, "tagged_by": by},
    )
    return tag


def untag_need(tag: NeedTag) -> None:
    tag.delete()


def create_declined(
    organisation: Organisation, *, decided_by: Person | None = None, **fields: Any
) -> DeclinedRequest:
    fields.setdefault("decided_on", timezone.localdate())
    if fields.get("need") is not None and fields.get("segment") is None:
        fields["segment"] = fields["need"].segment
    _check_source_ref(organisation.pk, fields)
    obj = DeclinedRequest(organisation=organisation, decided_by=decided_by)
    return _save(obj, fields, DECLINED_FIELDS)


def _check_source_ref(organisation_id: int, fields: dict[str, Any]) -> None:
    ref_id, source = fields.get("ref_id"), fields.get("source")
    if ref_id is None:
        return
    kind = {"idea": "idea", "question": "feedback"}.get(source or "")
    if kind is None or _label(organisation_id, kind, ref_id) is None:
        raise ValidationError(
            {"ref_id": _("There is no such item with id %(id)s.") % {"id": ref_id}}
        )


def sync_declined_idea(idea: Any, previous: str, person: Person | None) -> None:
    """A declined idea is a "no" to customers: it enters the register with its reason (and
    follows a new reason); when the idea is taken up again after all, its entry goes."""
    from outsidein.ideas.models import IdeaStatus

    entries = DeclinedRequest.objects.filter(
        organisation_id=idea.organisation_id, source=RequestSource.IDEA, ref_id=idea.pk
    )
    if idea.status != IdeaStatus.DECLINED:
        if previous == IdeaStatus.DECLINED:
            entries.delete()
        return
    entry = entries.first() or DeclinedRequest(
        organisation_id=idea.organisation_id, source=RequestSource.IDEA, ref_id=idea.pk
    )
    entry.request = idea.title[:300]
    entry.reason = idea.decline_reason
    entry.segment_id = idea.segment_id
    entry.customer_id = idea.customer_id
    # Told when the reason shows on the portal (a public idea); a private one may not be.
    entry.customer_told = idea.is_public
    changed = idea.status_changed_at
    entry.decided_on = timezone.localdate(changed) if changed else timezone.localdate()
    entry.decided_by = person
    entry.save()


def update_declined(declined: DeclinedRequest, **changes: Any) -> DeclinedRequest:
    if "ref_id" in changes or "source" in changes:
        merged = {"source": declined.source, "ref_id": declined.ref_id, **changes}
        _check_source_ref(declined.organisation_id, merged)
    return _save(declined, changes, DECLINED_FIELDS)


def delete_declined(declined: DeclinedRequest) -> None:
    declined.delete()


# --- journeys, stages, touchpoints --------------------------------------------------------------


def create_journey(organisation: Organisation, **fields: Any) -> Journey:
    return _save(Journey(organisation=organisation), fields, JOURNEY_FIELDS)


def update_journey(journey: Journey, **changes: Any) -> Journey:
    return _save(journey, changes, JOURNEY_FIELDS)


def delete_journey(journey: Journey) -> None:
    with transaction.atomic():
        for touchpoint in Touchpoint.objects.filter(stage__journey=journey):
            _unlink_touchpoint(touchpoint)
        journey.delete()


def create_stage(journey: Journey, **fields: Any) -> Stage:
    if fields.get("position") is None:
        fields["position"] = (journey.stages.aggregate(top=models.Max("position"))["top"] or 0) + 1
    return _save(
        Stage(organisation_id=journey.organisation_id, journey=journey), fields, STAGE_FIELDS
    )


def update_stage(stage: Stage, **changes: Any) -> Stage:
    return _save(stage, changes, STAGE_FIELDS)


def delete_stage(stage: Stage) -> None:
    with transaction.atomic():
        for touchpoint in stage.touchpoints.all():
            _unlink_touchpoint(touchpoint)
        stage.delete()


def create_touchpoint(organisation: Organisation, **fields: Any) -> Touchpoint:
    if fields.get("position") is None:
        stage = fields.get("stage")
        top = stage.touchpoints.aggregate(top=models.Max("position"))["top"] if stage else 0
        fields["position"] = (top or 0) + 1
    return _save(Touchpoint(organisation=organisation), fields, TOUCHPOINT_FIELDS)


def update_touchpoint(touchpoint: Touchpoint, **changes: Any) -> Touchpoint:
    return _save(touchpoint, changes, TOUCHPOINT_FIELDS)


def _unlink_touchpoint(touchpoint: Touchpoint) -> None:
    TouchpointLink.objects.filter(touchpoint=touchpoint).update(
        touchpoint=None, former_touchpoint=touchpoint.name[:160]
    )


def delete_touchpoint(touchpoint: Touchpoint) -> None:
    """The touchpoint goes; its feedback, surveys and follow-ups stay, shown as unlinked (with
    the touchpoint's name) so they can be linked again."""
    with transaction.atomic():
        _unlink_touchpoint(touchpoint)
        touchpoint.delete()


def link(touchpoint: Touchpoint, *, kind: str, ref_id: int) -> TouchpointLink:
    if kind not in LinkKind.values:
        raise ValidationError({"kind": _("Choose a survey, feedback item, follow-up or scenario.")})
    label = _label(touchpoint.organisation_id, kind, ref_id)
    if label is None:
        raise ValidationError(
            {"ref_id": _("There is no such item with id %(id)s.") % {"id": ref_id}}
        )
    existing = TouchpointLink.objects.filter(
        touchpoint=touchpoint, kind=kind, ref_id=ref_id
    ).first()
    if existing:
        return existing
    with transaction.atomic():
        TouchpointLink.objects.filter(
            organisation_id=touchpoint.organisation_id,
            touchpoint__isnull=True,
            kind=kind,
            ref_id=ref_id,
        ).delete()
        return TouchpointLink.objects.create(
            organisation_id=touchpoint.organisation_id,
            touchpoint=touchpoint,
            journey_id=touchpoint.stage.journey_id,
            kind=kind,
            ref_id=ref_id,
            label=label,
        )


def unlink(item: TouchpointLink) -> None:
    item.delete()


# --- processes -------------------------------------------------------------------------------


def _set_process_relations(
    process: Process, touchpoints: Sequence[Touchpoint] | None, decisions: Sequence[Any] | None
) -> None:
    for related in [*(touchpoints or []), *(decisions or [])]:
        if related.organisation_id != process.organisation_id:
            raise ValidationError({"touchpoints": _("This belongs to another organisation.")})
    if touchpoints is not None:
        process.touchpoints.set(touchpoints)
    if decisions is not None:
        process.decisions.set(decisions)


def create_process(
    organisation: Organisation,
    *,
    touchpoints: Sequence[Touchpoint] | None = None,
    decisions: Sequence[Any] | None = None,
    **fields: Any,
) -> Process:
    with transaction.atomic():
        process = _save(Process(organisation=organisation), fields, PROCESS_FIELDS)
        _set_process_relations(process, touchpoints, decisions)
    return process


def update_process(
    process: Process,
    *,
    touchpoints: Sequence[Touchpoint] | None = None,
    decisions: Sequence[Any] | None = None,
    **changes: Any,
) -> Process:
    with transaction.atomic():
        _save(process, changes, PROCESS_FIELDS)
        _set_process_relations(process, touchpoints, decisions)
    return process


def delete_process(process: Process) -> None:
    process.delete()
