"""The public find-help page (no account, no cookie, language from the URL) and the
coordinators' pages for its texts and the refusal reports sent to them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt

from gbvwatch.core import keyring
from gbvwatch.core.access import member_required, public, signed_in
from gbvwatch.core.crypto import DecryptionError
from gbvwatch.directory.models import Kind
from gbvwatch.public import actions, queries
from gbvwatch.public.cache import ANSWERS
from gbvwatch.public.forms import HelpForm, PageTextForm, RefusalReportForm
from gbvwatch.public.models import PageLanguage, PageText, TextSlot
from gbvwatch.public.needs import NEEDS, Who

LANGUAGES = ("az", "ru", "en")
# Why a report was not taken, in the visitor's language.
_REFUSED = {
    "token": _lazy("This form has expired or was already sent. Please fill it in again."),
    "rate": _lazy("Too many reports were sent from here in the last hour. Please try later."),
    "no_recipient": _lazy(
        "Reports cannot be received yet: no coordinating organisation has set up its keys."
    ),
}


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise Http404
    translation.activate(lang)
    return lang


def _context(request: HttpRequest, lang: str, **extra: Any) -> dict[str, Any]:
    other = [(code, translation.get_language_info(code)["name_local"]) for code in LANGUAGES]
    return {
        "lang": lang,
        "languages": [(code, name) for code, name in other if code != lang],
        "texts": queries.page_texts(lang),
        "exit_url": settings.QUICK_EXIT_URL,
        **extra,
    }


@public
def index(request: HttpRequest) -> HttpResponse:
    """The bare address: on to the page in the browser's language (no cookie consulted)."""
    wanted = translation.get_language_from_request(request)[:2]
    return redirect("public:find", lang=wanted if wanted in LANGUAGES else "az")


def _query(form: HelpForm, now: dt.datetime) -> queries.HelpQuery:
    d = form.cleaned_data
    on: dt.date | None = d["on"]
    at = now if on is None else dt.datetime.combine(on, dt.time(12, 0), tzinfo=now.tzinfo)
    who = Who(
        gender=d["gender"],
        with_children=bool(d["with_children"]),
        oldest_boy_age=d["boy_age"],
        wheelchair=bool(d["wheelchair"]),
    )
    return queries.HelpQuery(d["need"], queries.unit_get(d["unit"]), who, at)


def _answer_html(request: HttpRequest, lang: str, form: HelpForm) -> str:
    # Answers are computed for the minute: the same question in the same minute on the same
    # data is the same page, served from the per-process cache.
    now = timezone.localtime().replace(second=0, microsecond=0)
    key = (lang, tuple(sorted(form.cleaned_data.items())), now, queries.snapshot().fingerprint)
    html = ANSWERS.get(key)
    if html is None:
        answer = queries.help_find(_query(form, now))
        context = _context(
            request, lang, answer=answer, need=NEEDS[answer.query.need], helplines=answer.helplines
        )
        html = render_to_string("public/answer.html", context, request=request)
        ANSWERS.put(key, html)
    return html


@public
@csrf_exempt  # changes nothing; no cookie exists to protect
def find(request: HttpRequest, lang: str) -> HttpResponse:
    """The question (GET) and the answer (POST, so nothing of it lands in the address bar)."""
    _language(lang)
    units = queries.units_for_choice(lang)
    form = HelpForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        return HttpResponse(_answer_html(request, lang, form))
    helplines = queries.helplines_at(timezone.now())
    context = _context(request, lang, form=form, helplines=helplines)
    return render(request, "public/find.html", context)


@public
@csrf_exempt  # a signed, single-use, time-limited token in the form instead (no cookie)
def report(request: HttpRequest, lang: str) -> HttpResponse:
    """An anonymous report that a service refused someone, sealed to the coordinating
    organisation; rate-limited by a keyed hash of the address that expires within the hour."""
    _language(lang)
    recipient = actions.reports_recipient()
    problem = "" if recipient is not None else str(_REFUSED["no_recipient"])
    if request.method != "POST":
        actions.rate_state_purge(timezone.now())
        form = RefusalReportForm(initial={"token": actions.form_token_new()})
        return render(
            request, "public/report.html", _context(request, lang, form=form, problem=problem)
        )
    form = RefusalReportForm(request.POST)
    if form.is_valid() and recipient is not None:
        d = form.cleaned_data
        entry = actions.ReportInput(
            service=form.services[d["service"]],
            reason=d["reason"],
            refused_on=d["refused_on"],
            details=d["details"],
        )
        try:
            actions.refusal_report_create(
                token=d["token"], address=request.META.get("REMOTE_ADDR") or "", report=entry
            )
        except actions.ReportRefusedError as exc:
            problem = str(_REFUSED[exc.code])
        else:
            return render(request, "public/report_sent.html", _context(request, lang))
    if "token" in form.errors:
        problem = str(_REFUSED["token"])
    # Show what she entered again, with a fresh token and the same field errors.
    data = request.POST.copy()
    data["token"] = actions.form_token_new()
    form = RefusalReportForm(data)
    form.is_valid()
    return render(
        request, "public/report.html", _context(request, lang, form=form, problem=problem)
    )


@public
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under the page: a friendly page in the three languages, never a trace."""
    translation.activate("az")
    return render(request, "public/not_found.html", _context(request, "az"), status=404)


# -- coordinators ------------------------------------------------------------------------------


@member_required("public.edit")
def texts(request: HttpRequest) -> HttpResponse:
    """Edit the texts of the public page in Azerbaijani, Russian and English."""
    current = {(t.slot, t.language): t for t in PageText.objects.all()}
    if request.method == "POST":
        form = PageTextForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            actions.page_text_save(
                actor=signed_in(request), slot=d["slot"], language=d["language"], text=d["text"]
            )
            messages.success(request, _("The text was saved."))
            return redirect("public_staff:texts")
    else:
        slot = request.GET.get("slot", TextSlot.INTRO)
        language = request.GET.get("language", "az")
        row = current.get((slot, language))
        form = PageTextForm(
            initial={"slot": slot, "language": language, "text": row.text if row else ""}
        )
    table = [
        (
            label,
            [(code, name, current.get((slot, code))) for code, name in PageLanguage.choices],
            slot,
        )
        for slot, label in TextSlot.choices
    ]
    return render(request, "public/texts.html", {"form": form, "table": table})


@member_required("public.reports")
def reports(request: HttpRequest) -> HttpResponse:
    """Refusal reports sent to this organisation; sealed fields open while keys are unlocked."""
    user = signed_in(request)
    rows = queries.refusal_reports_for(user)
    if request.method == "POST":
        try:
            report_id = uuid.UUID(request.POST.get("report", ""))
        except ValueError as exc:  # a malformed id is a 404, like another organisation's
            raise Http404 from exc
        row = get_object_or_404(rows, pk=report_id)
        dismissed = request.POST.get("dismissed") == "1"
        actions.refusal_report_dismiss(actor=user, report=row, dismissed=dismissed)
        return redirect("public_staff:reports")
    listed = list(rows[:200])
    opened: dict[str, dict[str, str]] = {}
    locked = False
    try:
        private = keyring.private_key(request)
        opened = actions.refusal_reports_open(actor=user, private_key=private, reports=listed)
    except (keyring.KeysLockedError, DecryptionError):
        locked = True
    kinds = dict(Kind.choices)
    context = {
        "reports": [
            (r, kinds.get(r.service_kind, r.service_kind), opened.get(str(r.pk))) for r in listed
        ],
        "locked": locked,
    }
    return render(request, "public/reports.html", context, status=423 if locked else 200)
