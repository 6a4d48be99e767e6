"""Pages of digital attacks on activists: list (coded fields only), detail with indicators,
add and edit, indicator search, campaigns.

Sensitive fields and indicators are decrypted only with the organisation key of the session;
without it (locked) the page says so with a 423, and the indicator search cannot run (its
blind index needs the key). The search is a POST so that an indicator never ends up in a URL,
the browser history or a server log."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gbvwatch.cases import attacks_actions as actions
from gbvwatch.cases import attacks_queries as queries
from gbvwatch.cases.attacks_forms import (
    AttackFilterForm,
    AttackForm,
    CampaignForm,
    IndicatorForm,
    IndicatorSearchForm,
)
from gbvwatch.cases.casework_actions import is_shredded
from gbvwatch.cases.casework_views import casework_context
from gbvwatch.cases.models import Attack
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import member_required, signed_in
from gbvwatch.core.actions import ActionError


def _locked(request: HttpRequest) -> HttpResponse:
    # 423 Locked: the person may see this record, but this session holds no key to open it.
    return render(request, "cases/locked.html", {}, status=423)


@member_required("cases.view")
def attack_list(request: HttpRequest) -> HttpResponse:
    """The organisation's attacks, coded fields only (nothing is decrypted for a list)."""
    user = signed_in(request)
    search = AttackFilterForm(request.GET, campaigns=queries.campaigns_for(user))
    attacks = queries.attacks_filter(queries.attacks_for(user), user, search.filters())
    page = Paginator(attacks, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "search": search, "query": query.urlencode()}
    return render(request, "cases/attack_list.html", context)


@member_required("cases.view")
def attack_detail(request: HttpRequest, attack_id: str) -> HttpResponse:
    """One attack with its sensitive fields and indicators decrypted (the read is audited)."""
    attack = queries.attack_get(signed_in(request), attack_id)
    if is_shredded(attack):  # nothing left to decrypt: coded fields and history only
        context = {"attack": attack, **casework_context(request, attack, None)}
        return render(request, "cases/attack_detail.html", context)
    try:
        private = keyring.private_key(request)
        secrets = actions.attack_reveal(
            actor=signed_in(request), attack=attack, private_key=private
        )
        context = {"attack": attack, "secrets": secrets, "indicator_form": IndicatorForm()}
        context.update(casework_context(request, attack, private))
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request)
    return render(request, "cases/attack_detail.html", context)


@member_required("cases.edit")
def attack_create(request: HttpRequest) -> HttpResponse:
    """Record a new attack; anyone allowed to write encrypts without unlocking anything."""
    user = signed_in(request)
    form = AttackForm(request.POST or None, campaigns=queries.campaigns_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            attack = actions.attack_create(
                actor=user, attack=form.save(commit=False), secrets=form.secrets()
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The attack was recorded."))
            return redirect("cases:attack_detail", attack_id=attack.pk)
    return render(request, "cases/attack_form.html", {"form": form, "creating": True})


@member_required("cases.edit")
def attack_edit(request: HttpRequest, attack_id: str) -> HttpResponse:
    """Change an attack; its sensitive fields are shown decrypted, then re-encrypted."""
    user = signed_in(request)
    attack = queries.attack_get(user, attack_id)
    if is_shredded(attack):
        messages.error(request, _("This record was destroyed; it can no longer be edited."))
        return redirect("cases:attack_detail", attack_id=attack.pk)
    try:
        private = keyring.private_key(request)
        current = actions.attack_reveal(actor=user, attack=attack, private_key=private)
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request)
    before = {f.attname: getattr(attack, f.attname) for f in Attack._meta.concrete_fields}
    initial = {
        "target_identity": current.target_identity,
        "losses": current.losses,
        "narrative": current.narrative,
    }
    form = AttackForm(
        request.POST or None,
        instance=attack,
        initial=initial,
        campaigns=queries.campaigns_for(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.attack_update(
                actor=user,
                attack=form.save(commit=False),
                before=before,
                secrets=form.secrets(),
                private_key=private,
                before_secrets=current,
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The attack was saved."))
            return redirect("cases:attack_detail", attack_id=attack.pk)
    return render(request, "cases/attack_form.html", {"form": form, "attack": attack})


@member_required("cases.edit")
def indicator_add(request: HttpRequest, attack_id: str) -> HttpResponse:
    """Attach an indicator to an attack; needs the organisation key (encryption under the
    attack's data key, blind index under the organisation's index key)."""
    user = signed_in(request)
    attack = queries.attack_get(user, attack_id)
    try:
        private = keyring.private_key(request)
    except keyring.KeysLockedError:
        return _locked(request)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.indicator_add(
                actor=user,
                attack=attack,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                private_key=private,
            )
        except crypto.DecryptionError:
            return _locked(request)
        except ActionError as exc:
            form.add_error("value", str(exc))
        else:
            messages.success(request, _("The indicator was added."))
            return redirect("cases:attack_detail", attack_id=attack.pk)
    return render(request, "cases/attack_indicator_form.html", {"form": form, "attack": attack})


@member_required("cases.view")
def attack_find(request: HttpRequest) -> HttpResponse:
    """Find the organisation's attacks with an indicator equal to the one entered."""
    user = signed_in(request)
    unlocked = keyring.is_unlocked(request)
    form = IndicatorSearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "unlocked": unlocked, "results": None}
    if request.method != "POST":
        return render(request, "cases/attack_find.html", context)
    try:
        private = keyring.private_key(request)
    except keyring.KeysLockedError:
        context["unlocked"] = False
        return render(request, "cases/attack_find.html", context, status=423)
    if form.is_valid():
        try:
            context["results"] = actions.indicators_find(
                actor=user,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
                private_key=private,
            )
        except crypto.DecryptionError:
            context["unlocked"] = False
            return render(request, "cases/attack_find.html", context, status=423)
        except ActionError as exc:
            form.add_error("value", str(exc))
    return render(request, "cases/attack_find.html", context)


@member_required("cases.view")
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The organisation's campaigns with the number of attacks in each."""
    campaigns = queries.campaigns_for(signed_in(request))
    return render(request, "cases/attack_campaign_list.html", {"campaigns": campaigns})


@member_required("cases.edit")
def campaign_create(request: HttpRequest) -> HttpResponse:
    """Start a campaign: a neutral label in clear, the description encrypted."""
    user = signed_in(request)
    form = CampaignForm(request.POST or None, campaigns=queries.campaigns_for(user))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = actions.campaign_create(
                actor=user,
                campaign=form.save(commit=False),
                description=form.cleaned_data["description"],
            )
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The campaign was created."))
            return redirect("cases:campaign_detail", campaign_id=campaign.pk)
    return render(request, "cases/attack_campaign_form.html", {"form": form})


@member_required("cases.view")
def campaign_detail(request: HttpRequest, campaign_id: str) -> HttpResponse:
    """A campaign's description (decrypted, audited) and the attacks linked to it."""
    user = signed_in(request)
    campaign = queries.campaign_get(user, campaign_id)
    try:
        description = actions.campaign_reveal(
            actor=user, campaign=campaign, private_key=keyring.private_key(request)
        )
    except (keyring.KeysLockedError, crypto.DecryptionError):
        return _locked(request)
    context = {
        "campaign": campaign,
        "description": description,
        "attacks": queries.attacks_of_campaign(user, campaign),
    }
    return render(request, "cases/attack_campaign_detail.html", context)
