"""The pages customers see: answering a survey (personal invitation, public link or QR code,
website widget) and unsubscribing. No login; access by signed links. Rate limited, with a
honeypot field against bots. Forms carry a signed token instead of a CSRF cookie, so they also
work inside the widget's cross-site iframe."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from outsidein.core import ratelimit
from outsidein.voice import distribution, services
from outsidein.voice.models import Channel, Feedback, Invitation, Survey

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
    count = ratelimit.hit("public-submit", ratelimit.client_address(request), window=60)
    return count > limit


def _answer_page(
    request: HttpRequest,
    survey: Survey,
    *,
    channel: str,
    invitation: Invitation | None = None,
    embedded: bool = False,
) -> HttpResponse:
    language = _language(request, invitation.customer.language if invitation else None)
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "survey": survey,
        "language": language,
        "embedded": embedded,
        "title": survey.title(language),
        "thanks_text": survey.thanks(language),
    }
    if not survey.is_accepting():
        return render(request, "voice/public/closed.html", context, status=410)
    if invitation is not None and invitation.feedback_is_complete:  # type: ignore[attr-defined]
        return render(request, "voice/public/already.html", context)
    questions = list(survey.questions.all())
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
            )
        except services.AlreadyAnswered:
            return render(request, "voice/public/already.html", context)
        except services.SurveyNotOpen:
            return render(request, "voice/public/closed.html", context, status=410)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            if partial:
                return HttpResponse(status=204)
        else:
            if partial or not feedback.is_complete:
                return HttpResponse(status=204)
            request.session.pop(session_key, None)
            return render(request, "voice/public/thanks.html", context)
    elif invitation is not None:
        distribution.mark_opened(invitation)
        previous = Feedback.objects.filter(invitation=invitation).first()
        data = dict(previous.answers) if previous else {}
    fields = [
        {
            "question": q,
            "text": q.text(language),
            "value": data.get(q.key),
            "error": errors.get(q.key),
            "choices": q.choice_labels(language),
            "scale": list(range(q.scale[0], q.scale[1] + 1)) if q.scale else [],
        }
        for q in questions
    ]
    context.update(
        fields=fields,
        errors=errors,
        intro=survey.intro(language),
        form_token=_form_token(survey, invitation),
        honeypot=HONEYPOT,
    )
    # Errors re-render the form with 200, like every form in the product (browsers treat a
    # 4xx document as a failed load).
    return render(request, "voice/public/answer.html", context)


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
) -> Feedback:
    """Submit, continuing an anonymous visitor's partial response kept in their session."""
    previous = None
    if invitation is None and request.session.get(session_key):
        previous = Feedback.objects.filter(
            pk=request.session[session_key], survey=survey, is_complete=False
        ).first()
    feedback = services.submit_response(
        survey,
        data=data,
        channel=channel,
        language=language,
        invitation=invitation,
        partial=partial,
        previous=previous,
        questions=questions,
    )
    if invitation is None and not feedback.is_complete:
        request.session[session_key] = feedback.pk
    return feedback


@csrf_exempt
def answer_public(request: HttpRequest, key: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), public_key=key)
    if not survey.allow_anonymous:
        raise Http404
    return _answer_page(request, survey, channel=Channel.LINK)


@csrf_exempt
@xframe_options_exempt
def answer_embedded(request: HttpRequest, key: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), public_key=key)
    if not survey.allow_anonymous:
        raise Http404
    response = _answer_page(request, survey, channel=Channel.WIDGET, embedded=True)
    origins = " ".join(survey.origin_list()) or "'none'"
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
