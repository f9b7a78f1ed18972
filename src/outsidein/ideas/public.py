"""The ideas portal customers see, at ``/ideas/<organisation>/``: no password. A customer proves
their email address once with a signed link (``join`` → email → ``verify``); the portal then
knows them in this browser's session. Reading is open to everyone; submitting, voting and
commenting need a verified address. Every write is rate limited per client address and carries
a honeypot field against bots. Works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outsidein.core import ratelimit
from outsidein.core.models import Organisation
from outsidein.ideas import duplicates, services
from outsidein.ideas.forms import CommentForm, IdeaForm, JoinForm
from outsidein.ideas.models import OPEN_STATUSES, Idea, IdeaStatus, Participant, Vote

HONEYPOT = "website"
PER_PAGE = 20
# Suggestions while typing, per client address per minute (apart from the writes' budget, so
# typing never uses up a customer's submit): the public limit times this.
SIMILAR_FACTOR = 2
# Verification emails per address per hour (on top of the per-client limit).
VERIFY_EMAILS_PER_HOUR = 5
FILTERS = {
    "open": OPEN_STATUSES,
    "planned": (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS),
    "done": (IdeaStatus.DONE,),
    "declined": (IdeaStatus.DECLINED,),
}


def _session_key(organisation: Organisation) -> str:
    return f"ideas:participant:{organisation.pk}"


def _participant(request: HttpRequest, organisation: Organisation) -> Participant | None:
    pk = request.session.get(_session_key(organisation))
    if not pk:
        return None
    return (
        Participant.objects.select_related("customer")
        .filter(pk=pk, organisation=organisation, verified_at__isnull=False)
        .first()
    )


def _activate_language(
    request: HttpRequest, organisation: Organisation, participant: Participant | None
) -> str:
    """The customer's choice (?lang=, remembered), else their own, else the browser's."""
    requested = request.GET.get("lang")
    if requested in {"nl", "en"}:
        request.session["ideas:lang"] = requested
    language = request.session.get("ideas:lang")
    if language not in {"nl", "en"}:
        language = participant.language if participant else None
    if language not in {"nl", "en"}:
        detected = translation.get_language_from_request(request)[:2]
        language = detected if detected in {"nl", "en"} else organisation.language
    translation.activate(language)
    request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
    return str(language)


def _rate_limited(request: HttpRequest) -> bool:
    limit = settings.PUBLIC_RATE_LIMIT
    if not limit:
        return False
    return ratelimit.hit("ideas-public", ratelimit.client_address(request), window=60) > limit


def _portal(request: HttpRequest, slug: str) -> tuple[Organisation, Participant | None, str]:
    organisation = get_object_or_404(Organisation, slug=slug)
    participant = _participant(request, organisation)
    language = _activate_language(request, organisation, participant)
    return organisation, participant, language


def _render(
    request: HttpRequest,
    template: str,
    organisation: Organisation,
    participant: Participant | None,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    base = {
        "organisation": organisation,
        "participant": participant,
        "honeypot": HONEYPOT,
        "path": request.path,
    }
    return render(request, f"ideas/public/{template}", {**base, **(context or {})}, status=status)


def _slow_down(request: HttpRequest, organisation: Organisation, participant: Any) -> HttpResponse:
    return _render(request, "slow_down.html", organisation, participant, status=429)


def _join_redirect(organisation: Organisation, next_url: str) -> HttpResponseRedirect:
    url = reverse("ideas-portal-join", args=[organisation.slug])
    return redirect(f"{url}?{urlencode({'next': next_url})}")


# --- reading -----------------------------------------------------------------------------------


def portal(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, participant, _language = _portal(request, slug)
    sort = request.GET.get("sort") if request.GET.get("sort") in {"top", "new"} else "top"
    shown = str(request.GET.get("show") or "open")
    if shown not in FILTERS:
        shown = "open"
    ideas = services.public_ideas(organisation).filter(status__in=FILTERS[shown])
    ideas = ideas.order_by(
        *(("-vote_count", "-created_at", "-pk") if sort == "top" else ("-created_at", "-pk"))
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        from django.db.models import Q

        ideas = ideas.filter(Q(title__icontains=q) | Q(description__icontains=q))
    page = Paginator(ideas, PER_PAGE).get_page(request.GET.get("page"))
    voted: set[int] = set()
    if participant is not None:
        voted = set(
            Vote.objects.filter(
                participant=participant, idea_id__in=[i.pk for i in page.object_list]
            ).values_list("idea_id", flat=True)
        )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("lang", None)
    return _render(
        request,
        "portal.html",
        organisation,
        participant,
        {
            "page": page,
            "sort": sort,
            "shown": shown,
            "q": q,
            "voted": voted,
            "query_string": query.urlencode(),
            "filters": [
                ("open", _("Open")),
                ("planned", _("Planned")),
                ("done", _("Done")),
                ("declined", _("Declined")),
            ],
        },
    )


def _idea_page(
    request: HttpRequest,
    organisation: Organisation,
    participant: Participant | None,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
) -> HttpResponse:
    comments = idea.comments.select_related("participant", "person")
    history = idea.status_changes.filter(merged_into__isnull=True).order_by("created_at", "pk")
    has_voted = participant is not None and idea.votes.filter(participant=participant).exists()
    merged = idea.duplicates.filter(is_public=True).order_by("created_at")
    return _render(
        request,
        "idea.html",
        organisation,
        participant,
        {
            "idea": idea,
            "comments": comments,
            "history": history,
            "has_voted": has_voted,
            "is_author": participant is not None and idea.author_id == participant.pk,
            "merged": merged,
            "comment_form": comment_form or CommentForm(),
        },
    )


def _get_idea(organisation: Organisation, participant: Participant | None, idea_id: int) -> Idea:
    idea = (
        Idea.objects.filter(organisation=organisation, pk=idea_id)
        .select_related("author", "merged_into")
        .first()
    )
    if idea is None or not services.may_see(idea, participant):
        raise Http404(_("There is no such idea."))
    return idea


def idea_page(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    organisation, participant, _language = _portal(request, slug)
    idea = _get_idea(organisation, participant, idea_id)
    if idea.merged_into_id is not None:
        messages.info(
            request,
            _("This idea joined a similar one; its votes count there."),
        )
        return redirect("ideas-portal-idea", slug=slug, idea_id=idea.merged_into_id)
    return _idea_page(request, organisation, participant, idea)


def mine(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, participant, _language = _portal(request, slug)
    if participant is None:
        return _join_redirect(organisation, request.path)
    if request.method == "POST":
        services.set_notify(participant, request.POST.get("notify") == "1")
        messages.success(request, _("Your choice is saved."))
        return redirect("ideas-portal-mine", slug=slug)
    own = Idea.objects.filter(organisation=organisation, author=participant).select_related(
        "merged_into"
    )
    supported = (
        Idea.objects.filter(organisation=organisation, votes__participant=participant)
        .exclude(author=participant)
        .filter(merged_into__isnull=True)
    )
    return _render(
        request,
        "mine.html",
        organisation,
        participant,
        {"own": own.order_by("-created_at"), "supported": supported.order_by("-created_at")},
    )


# --- joining: email verification ----------------------------------------------------------------


def join(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, participant, language = _portal(request, slug)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        next_url = ""
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request):
            return _slow_down(request, organisation, participant)
        if request.POST.get(HONEYPOT):
            # A bot filled the invisible field: answer as if sent, send nothing.
            return _render(request, "check_email.html", organisation, participant)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            if ratelimit.hit("ideas-verify", email, window=3600) > VERIFY_EMAILS_PER_HOUR:
                return _slow_down(request, organisation, participant)
            try:
                services.request_verification(
                    organisation,
                    email=email,
                    name=form.cleaned_data["name"],
                    language=language,
                    notify=form.cleaned_data["notify"],
                    next_url=next_url,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except OSError:
                form.add_error(
                    None, _("We could not send the email just now. Please try again later.")
                )
            else:
                return _render(
                    request, "check_email.html", organisation, participant, {"email": email}
                )
    return _render(
        request, "join.html", organisation, participant, {"form": form, "next": next_url}
    )


def verify(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    data = services.read_verification_token(organisation, token)
    if data is None:
        participant = _participant(request, organisation)
        _activate_language(request, organisation, participant)
        return _render(request, "invalid_link.html", organisation, participant, status=404)
    participant = services.verify_participant(
        organisation,
        email=data["e"],
        name=data.get("n", ""),
        language=data.get("l", "nl"),
        notify=bool(data.get("u", True)),
    )
    request.session.cycle_key()
    request.session[_session_key(organisation)] = participant.pk
    request.session["ideas:lang"] = participant.language
    _activate_language(request, organisation, participant)
    messages.success(request, _("Thank you, your email address is confirmed."))
    next_url = data.get("x") or ""
    if isinstance(next_url, str) and next_url.startswith(f"/ideas/{organisation.slug}/"):
        return redirect(next_url)
    return redirect("ideas-portal", slug=slug)


@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    request.session.pop(_session_key(organisation), None)
    return redirect("ideas-portal", slug=slug)


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from the mail client, without a cookie
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    participant = services.participant_for_unsubscribe_token(organisation, token)
    if participant is None:
        _activate_language(request, organisation, None)
        return _render(request, "invalid_link.html", organisation, None, status=404)
    translation.activate(participant.language)
    request.LANGUAGE_CODE = participant.language  # type: ignore[attr-defined]
    done = not participant.notify
    if request.method == "POST":
        services.set_notify(participant, False)
        done = True
    return _render(
        request,
        "unsubscribe.html",
        organisation,
        None,
        {"done": done, "token": token, "unsubscribed": participant},
    )


# --- writing: ideas, votes, comments -------------------------------------------------------------


def new_idea(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, participant, language = _portal(request, slug)
    if participant is None:
        return _join_redirect(organisation, request.path)
    form = IdeaForm(request.POST or None)
    if request.method == "POST":
        if _rate_limited(request):
            return _slow_down(request, organisation, participant)
        if request.POST.get(HONEYPOT):
            return redirect("ideas-portal", slug=slug)
        if form.is_valid():
            try:
                idea = services.submit_idea(
                    organisation,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    author=participant,
                    language=language,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you for your idea! Others can now vote for it; we will let you "
                        "know what we decide."
                    ),
                )
                return redirect("ideas-portal-idea", slug=slug, idea_id=idea.pk)
    similar: list[Idea] = []
    if request.method == "POST":
        similar = [
            found.idea
            for found in duplicates.likely_duplicates(
                organisation,
                request.POST.get("title", "")[:200],
                request.POST.get("description", "")[:1000],
                encode_at_most=duplicates.PUBLIC_ENCODE_AT_MOST,
            )
        ]
    return _render(
        request, "new.html", organisation, participant, {"form": form, "similar": similar}
    )


@require_POST
def vote(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    organisation, participant, _language = _portal(request, slug)
    idea = _get_idea(organisation, participant, idea_id)
    if participant is None:
        return _join_redirect(organisation, reverse("ideas-portal-idea", args=[slug, idea.pk]))
    if _rate_limited(request):
        return _slow_down(request, organisation, participant)
    if request.POST.get(HONEYPOT):
        return redirect("ideas-portal-idea", slug=slug, idea_id=idea.pk)
    try:
        if request.POST.get("action") == "unvote":
            services.unvote(idea, participant)
            messages.success(request, _("Your vote is withdrawn."))
        else:
            services.vote(idea, participant)
            messages.success(request, _("Thank you for your vote."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("back", "")
    if back.startswith(f"/ideas/{organisation.slug}/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts=None
    ):
        return redirect(f"{back}#idea-{idea.pk}")
    return redirect("ideas-portal-idea", slug=slug, idea_id=idea.pk)


@require_POST
def comment(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    organisation, participant, _language = _portal(request, slug)
    idea = _get_idea(organisation, participant, idea_id)
    if participant is None:
        return _join_redirect(organisation, reverse("ideas-portal-idea", args=[slug, idea.pk]))
    if _rate_limited(request):
        return _slow_down(request, organisation, participant)
    if request.POST.get(HONEYPOT):
        return redirect("ideas-portal-idea", slug=slug, idea_id=idea.pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(idea, text=form.cleaned_data["text"], participant=participant)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your comment is posted."))
            return redirect(reverse("ideas-portal-idea", args=[slug, idea.pk]) + "#comments")
    return _idea_page(request, organisation, participant, idea, comment_form=form)


def similar_ideas(request: HttpRequest, slug: str) -> HttpResponse:
    """JSON for the submit form: the public ideas most like the title being typed (this
    organisation's only), rate limited per client address."""
    organisation, _participant, _language = _portal(request, slug)
    limit = settings.PUBLIC_RATE_LIMIT
    if limit and (
        ratelimit.hit("ideas-similar", ratelimit.client_address(request), window=60)
        > limit * SIMILAR_FACTOR
    ):
        return JsonResponse({"error": _("Too many requests. Please wait a minute.")}, status=429)
    found = duplicates.likely_duplicates(
        organisation,
        request.GET.get("title", "")[:200],
        request.GET.get("description", "")[:1000],
        encode_at_most=duplicates.PUBLIC_ENCODE_AT_MOST,
    )
    return JsonResponse(
        {
            "ideas": [
                {
                    "id": d.idea.pk,
                    "title": d.idea.title,
                    "url": reverse("ideas-portal-idea", args=[organisation.slug, d.idea.pk]),
                    "votes": d.idea.vote_count,
                    "open": d.idea.is_open,
                    "status": d.idea.get_status_display(),
                }
                for d in found
            ]
        }
    )
