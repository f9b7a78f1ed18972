"""Staff pages of the voice app: the feedback inbox, surveys and their distribution."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from outsidein import audit
from outsidein.analytics import services as metrics
from outsidein.core.models import Customer, Team
from outsidein.core.permissions import Action, can, exportable_feedback
from outsidein.core.tenancy import get_scoped_or_404, scoped
from outsidein.core.views import _form_errors_from, employee_required, require
from outsidein.voice import distribution, services
from outsidein.voice.forms import (
    FeedbackForm,
    InboxFilterForm,
    InviteForm,
    QuestionEditForm,
    QuestionForm,
    SurveyForm,
    SurveySettingsForm,
)
from outsidein.voice.models import Feedback, InvitationStatus, Question, Survey
from outsidein.voice.panels import feedback_panels

# --- inbox ------------------------------------------------------------------------------------


@employee_required
def inbox(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    form = InboxFilterForm(request.GET or None, organisation_id=person.organisation_id)
    items = scoped(person, Feedback).select_related("customer", "survey", "team", "segment")
    if form.is_valid():
        items = services.filter_feedback(items, **form.cleaned_data)
    page = Paginator(items.prefetch_related("tags"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "voice/inbox/_results.html" if request.htmx else "voice/inbox/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"form": form, "page": page, "query_string": query.urlencode()},
        status=422 if form.is_bound and not form.is_valid() else 200,
    )


@employee_required
def feedback_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    feedback = get_scoped_or_404(person, Feedback, feedback_id)
    history = []
    if feedback.customer_id:
        history = list(
            scoped(person, Feedback)
            .filter(customer_id=feedback.customer_id)
            .exclude(pk=feedback.pk)
            .select_related("survey")[:50]
        )
    answers = []
    if feedback.survey_id:
        for question in feedback.survey.questions.all():  # type: ignore[union-attr]
            if question.key in feedback.answers:
                value = feedback.answers[question.key]
                labels = dict(question.choice_labels(request.LANGUAGE_CODE))  # type: ignore[attr-defined]
                if isinstance(value, list):
                    value = ", ".join(str(labels.get(v, v)) for v in value)
                elif question.choices:
                    value = labels.get(value, value)
                answers.append((question.text(request.LANGUAGE_CODE), value))  # type: ignore[attr-defined]
    context = {
        "feedback": feedback,
        "history": history,
        "answers": answers,
        "tags": feedback.tags.all(),
        "can_delete": can(person, Action.DELETE, feedback),
        "panels": feedback_panels(request, feedback),
    }
    return render(request, "voice/inbox/detail.html", context)


@employee_required
@require_POST
def feedback_tags(request: HttpRequest, feedback_id: int) -> HttpResponse:
    # Tags sit beside what the customer said: anyone who sees the feedback may tag it.
    feedback = get_scoped_or_404(request.person, Feedback, feedback_id)  # type: ignore[attr-defined]
    names = [name for name in request.POST.get("tags", "").split(",") if name.strip()]
    services.set_tags(feedback, names)
    messages.success(request, _("Tags saved."))
    return redirect("feedback-detail", feedback_id=feedback.pk)


@employee_required
@require_POST
def feedback_delete(request: HttpRequest, feedback_id: int) -> HttpResponse:
    feedback = get_scoped_or_404(request.person, Feedback, feedback_id)  # type: ignore[attr-defined]
    require(request, Action.DELETE, feedback)
    services.delete_feedback(feedback)
    messages.success(request, _("Feedback deleted."))
    return redirect("inbox")


@employee_required
def feedback_create(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Feedback)
    customer = None
    if request.GET.get("customer") or request.POST.get("customer"):
        customer = get_scoped_or_404(
            person, Customer, request.GET.get("customer") or request.POST.get("customer")
        )
    form = FeedbackForm(
        request.POST or None,
        initial={"language": customer.language if customer else person.organisation.language},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("customer", None)
        try:
            feedback, _created = services.record_feedback(
                person.organisation, customer=customer, author=person, team=person.team, **data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Feedback recorded."))
            return redirect("feedback-detail", feedback_id=feedback.pk)
    return render(request, "voice/inbox/create.html", {"form": form, "customer": customer})


def customer_feedback_panel(
    request: HttpRequest, customer: Customer
) -> tuple[str, dict[str, Any]] | None:
    """The customer's feedback history on their page."""
    person = request.person  # type: ignore[attr-defined]
    items = scoped(person, Feedback).filter(customer=customer).select_related("survey")
    return (
        "voice/_customer_panel.html",
        {"items": items[:20], "count": items.count(), "customer": customer},
    )


@employee_required
def inbox_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered feedback as CSV, streamed (no size limit, constant memory)."""
    from outsidein.core.spreadsheets import csv_writer

    person = request.person  # type: ignore[attr-defined]
    form = InboxFilterForm(request.GET or None, organisation_id=person.organisation_id)
    if form.is_bound and not form.is_valid():  # never "everything" for a filter we cannot read
        return JsonResponse({"detail": form.errors.get_json_data()}, status=422)
    items = exportable_feedback(person, scoped(person, Feedback)).select_related(
        "customer", "segment", "team", "survey"
    )
    if form.is_valid():
        items = services.filter_feedback(items, **form.cleaned_data)
    audit.record(
        person.organisation_id,
        "export",
        object_type="voice.feedback",
        label="inbox.csv",
        details={"filters": {k: v for k, v in request.GET.items() if v}},
    )
    columns = [
        "id",
        "kind",
        "channel",
        "submitted_at",
        "survey",
        "customer_external_id",
        "customer",
        "segment",
        "team",
        "language",
        "nps",
        "csat",
        "ces",
        "rating",
        "subject",
        "comment",
        "complete",
        "external_id",
    ]

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv_writer(Echo())

    def rows() -> Any:
        yield writer.writerow(columns)
        for f in items.order_by("-submitted_at", "-pk").iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    f.pk,
                    f.kind,
                    f.channel,
                    f.submitted_at.isoformat(),
                    f.survey.name if f.survey else "",
                    f.customer.external_id if f.customer else "",
                    f.customer.name if f.customer else "",
                    f.segment.name if f.segment else "",
                    f.team.name if f.team else "",
                    f.language,
                    f.nps,
                    f.csat,
                    f.ces,
                    f.rating,
                    f.subject,
                    f.comment,
                    int(f.is_complete),
                    f.external_id,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outsidein-feedback.csv"'
    return response


# --- surveys ------------------------------------------------------------------------------------


@employee_required
def survey_list(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    surveys = list(scoped(person, Survey).select_related("team"))
    by_survey = {
        group.key: group.summary for group in metrics.breakdown(person.organisation_id, "survey")
    }
    for survey in surveys:
        survey.metrics = by_survey.get(survey.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "voice/surveys/list.html",
        {
            "surveys": surveys,
            "can_create": can(person, Action.CREATE, Survey),
            "minimum_n": metrics.stats.MINIMUM_N,
        },
    )


@employee_required
def survey_create(request: HttpRequest) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    require(request, Action.CREATE, Survey)
    form = SurveyForm(request.POST or None, organisation_id=person.organisation_id)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team_id = data.pop("team")
        team = get_scoped_or_404(person, Team, team_id) if team_id else None
        try:
            survey = services.create_survey(person.organisation, team=team, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Survey created. Check the questions, then open it."))
            return redirect("survey-detail", survey_id=survey.pk)
    return render(request, "voice/surveys/create.html", {"form": form})


@employee_required
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    filters = metrics.Filters(survey_id=survey.pk)
    counts = _invitation_counts(survey)
    public_url = request.build_absolute_uri(reverse("answer-public", args=[survey.public_key]))
    widget_src = request.build_absolute_uri("/static/outsidein/widget.js")
    questions = list(survey.questions.all())
    notes = _flow_notes(questions, request.LANGUAGE_CODE)  # type: ignore[attr-defined]
    for question in questions:
        question.jump_notes = notes.get(question.pk, [])  # type: ignore[attr-defined]
    context = {
        "survey": survey,
        "questions": questions,
        "summary": metrics.summary(person.organisation_id, filters),
        "invitation_counts": [
            (InvitationStatus(status).label, n) for status, n in sorted(counts.items())
        ],
        "invitation_total": sum(counts.values()),
        "response_rate": metrics.stats.response_rate(
            counts.get("responded", 0),
            sum(n for status, n in counts.items() if status in ("sent", "reminded", "responded")),
        ),
        "public_url": public_url,
        "widget_snippet": f'<script src="{widget_src}" data-survey="{survey.public_key}" '
        f'data-origin="{request.build_absolute_uri("/").rstrip("/")}" async></script>',
        "link_snippet": f'<a href="{public_url}">{survey.title(request.LANGUAGE_CODE)}</a>',  # type: ignore[attr-defined]
        "can_change": can(person, Action.CHANGE, survey),
        "can_copy": can(person, Action.CREATE, Survey),
        "question_form": QuestionForm(),
        "invite_form": InviteForm(organisation_id=person.organisation_id),
        "minimum_n": metrics.stats.MINIMUM_N,
    }
    return render(request, "voice/surveys/detail.html", context)


def _flow_notes(questions: list[Question], language: str) -> dict[int, list[str]]:
    """Each question's jumps in words, for the builder's list."""
    number = {q.key: i + 1 for i, q in enumerate(questions)}
    notes: dict[int, list[str]] = {}
    for question in questions:
        labels = dict(question.choice_labels(language))
        for rule in question.branches or []:
            goto = rule.get("goto")
            target = (
                _("end the survey")
                if goto == "end"
                else _("go to question %(n)s") % {"n": number.get(goto, "?")}
            )
            if "choice" in rule:
                when = f"“{labels.get(rule['choice'], rule['choice'])}”"
            else:
                low, high = question.scale or (0, 0)
                when = f"{rule.get('min', low)}–{rule.get('max', high)}"
            notes.setdefault(question.pk, []).append(
                _("If %(when)s: %(target)s") % {"when": when, "target": target}
            )
    return notes


def _invitation_counts(survey: Survey) -> dict[str, int]:
    from django.db.models import Count

    return dict(
        survey.invitations.values("status").annotate(n=Count("id")).values_list("status", "n")
    )


@employee_required
def survey_settings(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    form = SurveySettingsForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SurveySettingsForm.Meta.fields}
        survey.refresh_from_db()
        try:
            services.update_survey(survey, **fields)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("survey-detail", survey_id=survey.pk)
    return render(request, "voice/surveys/settings.html", {"form": form, "survey": survey})


@employee_required
@require_POST
def survey_status(request: HttpRequest, survey_id: int, action: str) -> HttpResponse:
    survey = get_scoped_or_404(request.person, Survey, survey_id)  # type: ignore[attr-defined]
    require(request, Action.CHANGE, survey)
    try:
        if action == "open":
            services.open_survey(survey)
            messages.success(request, _("The survey is open for answers."))
        else:
            services.close_survey(survey)
            messages.success(request, _("The survey is closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("survey-detail", survey_id=survey.pk)


@employee_required
@require_POST
def question_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.add_question(survey, **form.question_fields())
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Question added."))
            return redirect("survey-detail", survey_id=survey.pk)
    messages.error(
        request,
        _("The question was not added: %(errors)s")
        % {
            "errors": "; ".join(
                f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()
            )
        },
    )
    return redirect("survey-detail", survey_id=survey.pk)


@employee_required
@require_POST
def question_delete(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    question = get_scoped_or_404(person, Question, question_id, survey=survey)
    services.delete_question(question)
    messages.success(request, _("Question removed."))
    return redirect("survey-detail", survey_id=survey.pk)


@employee_required
def question_edit(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    question = get_scoped_or_404(person, Question, question_id, survey=survey)
    answered = services.answer_count(question)
    questions = list(survey.questions.all())
    form = QuestionEditForm(
        request.POST or None, question=question, questions=questions, answered=answered
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_question(question, **form.question_changes())
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("Question saved."))
            return redirect(reverse("survey-detail", args=[survey.pk]) + f"#question-{question.pk}")
    return render(
        request,
        "voice/surveys/question_edit.html",
        {
            "survey": survey,
            "question": question,
            "form": form,
            "answered": answered,
            "is_choice": question.kind in ("single", "multiple"),
            "is_scale": question.scale is not None,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@employee_required
@require_POST
def question_move(request: HttpRequest, survey_id: int, question_id: int) -> HttpResponse:
    """Move a question one place up or down: a plain form post, so it works without JavaScript
    and from the keyboard."""
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    question = get_scoped_or_404(person, Question, question_id, survey=survey)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_question(question, step)
    except ValidationError as exc:
        messages.error(request, _("Not moved: %(reason)s") % {"reason": " ".join(exc.messages)})
    else:
        messages.success(request, _("Question moved."))
    return redirect(reverse("survey-detail", args=[survey.pk]) + f"#question-{question.pk}")


@employee_required
@require_POST
def question_order(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Save a new order of all questions at once (drag and drop); answers JSON to fetch()."""
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CHANGE, survey)
    try:
        ids = [int(i) for i in request.POST.get("order", "").split(",") if i.strip()]
        services.reorder_questions(survey, ids)
    except ValueError:
        return JsonResponse({"detail": _("The order must be question ids.")}, status=422)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=422)
    return JsonResponse({"order": ids})


@employee_required
@require_POST
def survey_copy(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CREATE, Survey)
    copied = services.copy_survey(survey)
    messages.success(
        request,
        _(
            "Survey copied with its questions, jumps and settings (not its responses). "
            "The copy is a draft with its own link."
        ),
    )
    return redirect("survey-detail", survey_id=copied.pk)


@employee_required
def survey_preview(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The survey exactly as a customer sees it, in either language; nothing is stored."""
    from outsidein.voice import public

    survey = get_scoped_or_404(request.person, Survey, survey_id)  # type: ignore[attr-defined]
    return public.preview_page(request, survey)


@employee_required
@require_POST
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    survey = get_scoped_or_404(person, Survey, survey_id)
    require(request, Action.CREATE, distribution.Invitation)
    form = InviteForm(request.POST, organisation_id=person.organisation_id)
    if not form.is_valid():
        messages.error(request, _("Choose who to invite."))
        return redirect("survey-detail", survey_id=survey.pk)
    customers = scoped(person, Customer).order_by("?")
    if form.cleaned_data["segment"]:
        customers = customers.filter(segment_id=form.cleaned_data["segment"])
    plan = distribution.invite(survey, list(customers[: form.cleaned_data["limit"]]))
    sent = distribution.send_pending(survey, base_url=request.build_absolute_uri("/"))
    skipped = sum(plan.skipped.values())
    messages.success(
        request,
        ngettext("%(sent)s invitation sent.", "%(sent)s invitations sent.", sent) % {"sent": sent}
        + " "
        + ngettext(
            "%(skipped)s customer skipped (no consent, no email, or invited recently).",
            "%(skipped)s customers skipped (no consent, no email, or invited recently).",
            skipped,
        )
        % {"skipped": skipped},
    )
    return redirect("survey-detail", survey_id=survey.pk)


@employee_required
def survey_qr(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    import segno

    survey = get_scoped_or_404(request.person, Survey, survey_id)  # type: ignore[attr-defined]
    url = request.build_absolute_uri(reverse("answer-public", args=[survey.public_key]))
    qr = segno.make(url, error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        qr.save(buffer, kind="svg", scale=8, border=2)
        content_type = "image/svg+xml"
    else:
        qr.save(buffer, kind="png", scale=10, border=2)
        content_type = "image/png"
        fmt = "png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-qr.{fmt}"'
    return response
