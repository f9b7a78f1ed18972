"""The pages customers see: answering a survey (personal invitation, public link or QR code,
website widget) and unsubscribing. No login; access by signed links. Rate limited, with a
honeypot field against bots. Forms carry a signed token instead of a CSRF cookie, so they also
work inside the widget's cross-site iframe."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from outsidein.core import prepared, ratelimit
from outsidein.voice import distribution, flow, services
from outsidein.voice.models import Channel, Feedback, Invitation, Question, Survey

FORM_SALT = "outsidein.voice.form"
FORM_MAX_AGE = 24 * 3600
HONEYPOT = "website"


def _form_token(survey: Survey, invitation: Invitation | None) -> str:
    return signing.dumps([survey.pk, invitation.pk if invitation else 0], salt=FORM_SALT)


def _token_matches(token: str, survey: Survey, invitation: Invitation | None) -> bool:
    try:
        survey_id, invitation_id = signing.loads(token, salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return survey_id == survey.pk and invitation_id == (invitation.pk if invitation else 0)


# --- the public survey, cached per process ----------------------------------------------------
#
# Every anonymous submission needs the survey, its organisation and its questions. They are kept
# in this process, keyed by the public key, and checked on every request with one small query
# that reads a version of all three: the survey's ``updated_at`` and ``team_id`` (deleting the
# owning team nulls it without touching ``updated_at``), the organisation's name and language
# (what the pages and the submission use of it) and the id and ``updated_at`` of every question
# (an aggregate such as the latest ``updated_at`` misses an edit of an older question written
# with ``update()`` or after the clock stepped back). An edit of the survey, of any question
# (added, changed, deleted), of those organisation fields or the deletion of the owning team
# changes the version, so the next request in every process reloads; no invalidation has to
# reach other processes, whatever the cache backend.
#
# A customer's POST on PostgreSQL skips that query: the copy is trusted as far as the write, and
# the write checks the version itself (``_UNCHANGED_SQL``, a condition of the one statement that
# stores the answer). Where the version changed, nothing was written and the request is answered
# again from a fresh copy. Every other answer that depends on the survey (the form with errors,
# a closed survey) is given from a checked copy only, so a customer never sees a form the survey
# no longer has; those that do not (the rate limit, an expired form token, the honeypot) are not.

_VERSION_SQL = (
    "SELECT s.id, s.updated_at, s.team_id, o.name, o.language, q.id, q.updated_at "
    "FROM voice_survey s "
    "JOIN core_organisation o ON o.id = s.organisation_id "
    "LEFT JOIN voice_question q ON q.survey_id = s.id "
    "WHERE s.public_key = %s "
    "ORDER BY q.id"
)
# The same version as one digest, worked out by PostgreSQL, and the condition that it still is
# the digest of a copy: one text parameter (a list parameter per column costs the driver more
# than the rest of the statement's parameters together).
_DIGEST_SQL = (
    "md5(json_build_array(s.id, s.updated_at, s.team_id, o.name, o.language, "
    "ARRAY(SELECT json_build_array(q.id, q.updated_at) FROM voice_question q "
    "WHERE q.survey_id = s.id ORDER BY q.id))::text)"
)
_SURVEY_AND_ORGANISATION = (
    "FROM voice_survey s JOIN core_organisation o ON o.id = s.organisation_id "
    "WHERE s.public_key = %s"
)
_UNCHANGED_SQL = f"EXISTS (SELECT 1 {_SURVEY_AND_ORGANISATION} AND {_DIGEST_SQL} = %s)"
_SURVEYS_KEPT = 256


@dataclass
class _Cached:
    version: tuple[Any, ...]
    survey: Survey
    questions: list[Question]
    # ``_UNCHANGED_SQL`` with this version's digest (PostgreSQL; None on SQLite).
    unchanged: tuple[str, list[Any]] | None
    # Rendered thank-you pages by (language, embedded): they depend on nothing else.
    thanks: dict[tuple[str, bool], bytes] = field(default_factory=dict)


_surveys: dict[str, _Cached] = {}
_surveys_lock = threading.Lock()


def _version_rows(key: str) -> list[tuple[Any, ...]]:
    with prepared.cursor() as cursor:  # planned once per connection on PostgreSQL
        cursor.execute(_VERSION_SQL, [key])
        return cursor.fetchall()


def _public_survey(key: str) -> _Cached:
    try:
        rows = _version_rows(key)
    except (OperationalError, InterfaceError):
        # The connection was lost (the database restarted): a read, so once more on a new one.
        if connection.in_atomic_block or connection.vendor != "postgresql":
            raise
        connection.close()
        rows = _version_rows(key)
    if not rows:
        raise Http404
    # One row per question (one without questions): the survey's and organisation's columns
    # once, then every question's id and ``updated_at``.
    version = (*rows[0][:5], *(cell for row in rows for cell in row[5:]))
    cached = _surveys.get(key)
    if cached is not None and cached.version == version:
        return cached
    # The digest before the copy: a change in between makes the copy newer than its digest,
    # so the write refuses it (never an older copy passing as current).
    unchanged = _unchanged(key)
    survey = Survey.objects.select_related("organisation", "team").filter(public_key=key).first()
    if survey is None:
        raise Http404
    cached = _Cached(version, survey, list(survey.questions.all()), unchanged)
    with _surveys_lock:
        if len(_surveys) >= _SURVEYS_KEPT:
            _surveys.clear()
        _surveys[key] = cached
    return cached


def _unchanged(key: str) -> tuple[str, list[Any]] | None:
    """The condition that the survey is still as it is now (PostgreSQL), for the write of an
    answer checked against an unchecked copy."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_DIGEST_SQL} {_SURVEY_AND_ORGANISATION}", [key])
        row = cursor.fetchone()
    return None if row is None else (_UNCHANGED_SQL, [key, row[0]])


def _unchecked_copy(request: HttpRequest, key: str) -> _Cached | None:
    """This process's copy of the survey, for a POST whose write checks its version itself
    (PostgreSQL); None where the request reads the version first."""
    if request.method != "POST" or connection.vendor != "postgresql":
        return None
    cached = _surveys.get(key)
    return cached if cached is not None and cached.unchanged is not None else None


class _Unchecked(Exception):
    """The answer to this request would depend on an unchecked copy of the survey."""


def public_survey(key: str) -> tuple[Survey, list[Question]]:
    """The survey with this public key (organisation and team attached) and its questions,
    or 404."""
    cached = _public_survey(key)
    return cached.survey, cached.questions


def _thanks(request: HttpRequest, context: dict[str, Any], cached: _Cached | None) -> HttpResponse:
    if cached is None:
        return render(request, "voice/public/thanks.html", context)
    page_key = (context["language"], bool(context["embedded"]))
    content = cached.thanks.get(page_key)
    if content is None:
        content = render(request, "voice/public/thanks.html", context).content
        cached.thanks[page_key] = content
    return HttpResponse(content)


# SQLite lets one transaction write at a time; one that finds the database locked sleeps in
# growing steps (up to 100 ms) before it tries again. The threads of one server process
# therefore queue for their submission's transaction here instead, and wake as soon as the
# one before them commits.
_sqlite_write_lock = threading.Lock()


def _one_writer() -> Any:
    return _sqlite_write_lock if connection.vendor == "sqlite" else contextlib.nullcontext()


def _language(request: HttpRequest, preferred: str | None) -> str:
    requested = request.GET.get("lang") or request.POST.get("lang")
    if requested in {"nl", "en"}:
        return requested
    if preferred in {"nl", "en"}:
        return preferred  # type: ignore[return-value]
    detected = translation.get_language_from_request(request)[:2]
    return detected if detected in {"nl", "en"} else "nl"


def _rate_limited(request: HttpRequest) -> bool:
    limit = settings.PUBLIC_RATE_LIMIT
    if not limit:
        return False
    # Counted once per request, also where the request is answered a second time (_Unchecked).
    count = getattr(request, "_public_submit_hits", None)
    if count is None:
        count = ratelimit.hit("public-submit", ratelimit.client_address(request), window=60)
        request._public_submit_hits = count  # type: ignore[attr-defined]
    return bool(count > limit)


def _answer_page(
    request: HttpRequest,
    survey: Survey,
    *,
    channel: str,
    invitation: Invitation | None = None,
    embedded: bool = False,
    cached: _Cached | None = None,
    preview: bool = False,
    unchecked: bool = False,
) -> HttpResponse:
    """``unchecked``: ``cached`` is this process's copy, not checked in this request; the write
    checks it, and every other answer raises ``_Unchecked`` (the caller checks and answers
    again)."""
    language = _language(request, invitation.customer.language if invitation else None)
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "survey": survey,
        "language": language,
        "embedded": embedded,
        "title": survey.title(language),
        "thanks_text": survey.thanks(language),
        "preview": preview,
    }
    if preview:
        return _preview(request, survey, context)
    if not survey.is_accepting():
        if unchecked:
            raise _Unchecked
        return render(request, "voice/public/closed.html", context, status=410)
    if invitation is not None and invitation.feedback_is_complete:  # type: ignore[attr-defined]
        return render(request, "voice/public/already.html", context)
    questions = cached.questions if cached else list(survey.questions.all())
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    session_key = f"voice:partial:{survey.pk}"
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "voice/public/slow_down.html", context, status=429)
        if not _token_matches(request.POST.get("form_token", ""), survey, invitation):
            return render(request, "voice/public/expired_form.html", context, status=400)
        if request.POST.get(HONEYPOT):
            # A bot filled the invisible field: thank it and store nothing.
            return render(request, "voice/public/thanks.html", context)
        data = {q.key: _posted(request, q.key, q.kind) for q in questions}
        partial = request.POST.get("partial") == "1"
        try:
            feedback = _save(
                survey,
                questions,
                data,
                channel,
                language,
                invitation,
                partial,
                request,
                session_key,
                cached.unchanged if unchecked and cached else None,
            )
        except services.SurveyChanged:
            raise _Unchecked from None
        except services.AlreadyAnswered:
            return render(request, "voice/public/already.html", context)
        except services.SurveyNotOpen:
            if unchecked:
                raise _Unchecked from None
            return render(request, "voice/public/closed.html", context, status=410)
        except ValidationError as exc:
            if unchecked:
                raise _Unchecked from None
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            if partial:
                return HttpResponse(status=204)
        else:
            if partial or not feedback.is_complete:
                return HttpResponse(status=204)
            request.session.pop(session_key, None)
            return _thanks(request, context, cached)
    elif invitation is not None:
        distribution.mark_opened(invitation)
        previous = Feedback.objects.filter(invitation=invitation).first()
        data = dict(previous.answers) if previous else {}
    return _form_page(request, context, survey, questions, data, errors, invitation)


def _form_page(
    request: HttpRequest,
    context: dict[str, Any],
    survey: Survey,
    questions: list[Question],
    data: dict[str, Any],
    errors: dict[str, str],
    invitation: Invitation | None,
) -> HttpResponse:
    language = context["language"]
    # Questions the answers so far skip (jumps, follow-ups) start hidden; public.js walks the
    # same route as the customer answers (voice.flow).
    parsed = services.parse_answers(questions, data, partial=True)
    shown = set(flow.route(questions, parsed.answers))
    fields = [
        {
            "question": q,
            "text": q.text(language),
            "value": data.get(q.key),
            "error": errors.get(q.key),
            "choices": q.choice_labels(language),
            "scale": list(range(q.scale[0], q.scale[1] + 1)) if q.scale else [],
            "low_label": q.scale_label("low", language),
            "high_label": q.scale_label("high", language),
            "hidden": q.key not in shown,
        }
        for q in questions
    ]
    context.update(
        fields=fields,
        errors=errors,
        intro=survey.intro(language),
        form_token=_form_token(survey, invitation),
        honeypot=HONEYPOT,
        flow=[
            {
                "key": q.key,
                "kind": q.kind,
                "scale": q.scale is not None,
                "branches": q.branches or [],
                "show_if": q.show_if or {},
            }
            for q in questions
        ],
    )
    # Errors re-render the form with 200, like every form in the product (browsers treat a
    # 4xx document as a failed load).
    return render(request, "voice/public/answer.html", context)


def _preview(request: HttpRequest, survey: Survey, context: dict[str, Any]) -> HttpResponse:
    """The real page for a signed-in colleague: any status, answers checked, nothing stored
    (no response, no invitation, no rate limit, no session)."""
    questions = list(survey.questions.all())
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {q.key: _posted(request, q.key, q.kind) for q in questions}
        if request.POST.get("partial") == "1":
            return HttpResponse(status=204)
        parsed = services.parse_answers(questions, data)
        if not parsed.errors:
            language = context["language"]
            shown = []
            for q in questions:
                if q.key not in parsed.answers:
                    continue
                value = parsed.answers[q.key]
                labels = dict(q.choice_labels(language))
                if isinstance(value, list):
                    value = ", ".join(str(labels.get(v, v)) for v in value)
                elif q.choices:
                    value = labels.get(value, value)
                shown.append((q.text(language), value))
            context["preview_answers"] = shown
            return render(request, "voice/public/thanks.html", context)
        errors = parsed.errors
    return _form_page(request, context, survey, questions, data, errors, None)


def preview_page(request: HttpRequest, survey: Survey) -> HttpResponse:
    return _answer_page(request, survey, channel=Channel.LINK, preview=True)


def _posted(request: HttpRequest, key: str, kind: str) -> Any:
    if kind == "multiple":
        return request.POST.getlist(key)
    return request.POST.get(key, "")


def _save(
    survey: Survey,
    questions: list[Any],
    data: dict[str, Any],
    channel: str,
    language: str,
    invitation: Invitation | None,
    partial: bool,
    request: HttpRequest,
    session_key: str,
    survey_unchanged: tuple[str, list[Any]] | None,
) -> Feedback:
    """Submit, continuing an anonymous visitor's partial response kept in their session."""
    previous = None
    if invitation is None and request.session.get(session_key):
        previous = Feedback.objects.filter(
            pk=request.session[session_key], survey=survey, is_complete=False
        ).first()
    with _one_writer():
        feedback = services.submit_response(
            survey,
            data=data,
            channel=channel,
            language=language,
            invitation=invitation,
            partial=partial,
            previous=previous,
            questions=questions,
            survey_unchanged=survey_unchanged,
        )
    if invitation is None and not feedback.is_complete:
        request.session[session_key] = feedback.pk
    return feedback


@csrf_exempt
def answer_public(request: HttpRequest, key: str) -> HttpResponse:
    return _answer_anonymous(request, key, embedded=False)


@csrf_exempt
@xframe_options_exempt
def answer_embedded(request: HttpRequest, key: str) -> HttpResponse:
    return _answer_anonymous(request, key, embedded=True)


def _answer_anonymous(request: HttpRequest, key: str, *, embedded: bool) -> HttpResponse:
    unchecked = _unchecked_copy(request, key)
    if unchecked is not None and unchecked.survey.allow_anonymous:
        try:
            return _answer_copy(request, unchecked, embedded=embedded, unchecked=True)
        except _Unchecked:
            pass  # answered again below, from a checked copy
    cached = _public_survey(key)
    if not cached.survey.allow_anonymous:
        raise Http404
    return _answer_copy(request, cached, embedded=embedded, unchecked=False)


def _answer_copy(
    request: HttpRequest, cached: _Cached, *, embedded: bool, unchecked: bool
) -> HttpResponse:
    channel = Channel.WIDGET if embedded else Channel.LINK
    response = _answer_page(
        request,
        cached.survey,
        channel=channel,
        embedded=embedded,
        cached=cached,
        unchecked=unchecked,
    )
    if embedded:
        origins = " ".join(cached.survey.origin_list()) or "'none'"
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "frame-ancestors 'none'", f"frame-ancestors {origins}"
        )
    return response


@csrf_exempt
def answer_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = distribution.invitation_for_token(token)
    if invitation is None:
        return render(request, "voice/public/invalid_link.html", status=404)
    invitation.feedback_is_complete = Feedback.objects.filter(  # type: ignore[attr-defined]
        invitation=invitation, is_complete=True
    ).exists()
    return _answer_page(request, invitation.survey, channel=Channel.EMAIL, invitation=invitation)


@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    customer = distribution.customer_for_unsubscribe_token(token)
    if customer is None:
        return render(request, "voice/public/invalid_link.html", status=404)
    translation.activate(customer.language)
    done = False
    if request.method == "POST":
        distribution.unsubscribe(customer)
        done = True
    return render(
        request,
        "voice/public/unsubscribe.html",
        {"customer": customer, "done": done or not customer.consent_surveys, "token": token},
    )
