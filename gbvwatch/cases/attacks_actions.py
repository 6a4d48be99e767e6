"""Writes and sensitive reads of digital attacks, their indicators and campaigns; each in a
transaction with its audit entry. Audit entries name who, what and which record (and coded
facts such as an indicator's kind), never a decrypted value, an indicator or a blind index."""

from __future__ import annotations

import secrets as secrets_module
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gbvwatch.cases import attacks_queries
from gbvwatch.cases.attacks_index import IndicatorError, blind_index, kinds_accepting, normalise
from gbvwatch.cases.envelope import (
    FieldBinding,
    binding_of,
    coded_changes,
    decrypt_text,
    encrypt_text,
    new_data_key,
    open_data_key,
    open_fields,
    organisation_public_key,
    seal_fields,
)
from gbvwatch.cases.models import (
    ATTACK_SENSITIVE_FIELDS,
    Attack,
    BlindIndexKey,
    Campaign,
    Indicator,
)
from gbvwatch.core import crypto
from gbvwatch.core.actions import ActionError
from gbvwatch.core.audit import audit_append
from gbvwatch.core.models import User

ATTACK_LABEL = "cases.attack"
CAMPAIGN_LABEL = "cases.campaign"
INDICATOR_LABEL = "cases.indicator"


@dataclass(frozen=True)
class RevealedIndicator:
    """An indicator with its value decrypted, only ever in memory."""

    id: str
    kind: str
    kind_label: str
    value: str


@dataclass(frozen=True)
class AttackSecrets:
    """The sensitive fields of an attack, in clear, only ever in memory."""

    target_identity: str = ""
    losses: str = ""
    narrative: str = ""
    indicators: tuple[RevealedIndicator, ...] = field(default=())


def _binding(attack: Attack) -> FieldBinding:
    return binding_of(attack, ATTACK_LABEL)


def _indicator_binding(attack: Attack, indicator: Indicator) -> FieldBinding:
    # Bound to the attack and to the indicator's own row: a value moved elsewhere does not open.
    return FieldBinding(
        organisation_id=attack.organisation_id,
        model=INDICATOR_LABEL,
        pk=f"{attack.pk}:{indicator.pk}",
        data_key_version=attack.data_key_version,
    )


def _campaign_binding(campaign: Campaign) -> FieldBinding:
    return FieldBinding(
        organisation_id=campaign.organisation_id,
        model=CAMPAIGN_LABEL,
        pk=str(campaign.pk),
        data_key_version=campaign.data_key_version,
    )


def _seal_secrets(attack: Attack, data_key: bytes, secrets: AttackSecrets) -> None:
    values = {name: getattr(secrets, name) for name in ATTACK_SENSITIVE_FIELDS}
    seal_fields(attack, data_key, _binding(attack), values)


def _check_campaign(attack: Attack) -> None:
    if attack.campaign_id is None:
        return
    campaign = Campaign.objects.filter(pk=attack.campaign_id).first()
    if campaign is None or campaign.organisation_id != attack.organisation_id:
        raise ActionError(_("This campaign does not exist."))


def attack_create(*, actor: User, attack: Attack, secrets: AttackSecrets) -> Attack:
    """Save a new attack of the actor's organisation, its sensitive fields encrypted.

    Needs only the organisation's public key: nothing has to be unlocked to record."""
    organisation_id = actor.membership.organisation_id
    public_key = organisation_public_key(organisation_id)
    with transaction.atomic():
        attack.organisation_id = organisation_id
        attack.created_by = actor
        _check_campaign(attack)
        data_key, attack.data_key_sealed = new_data_key(public_key)
        _seal_secrets(attack, data_key, secrets)
        attack.save(force_insert=True)
        audit_append(
            actor=actor,
            action="attack.create",
            obj=attack,
            organisation_id=organisation_id,
            details={"platform": attack.platform, "attack_types": list(attack.attack_types)},
        )
    return attack


def attack_update(
    *,
    actor: User,
    attack: Attack,
    before: dict[str, Any],
    secrets: AttackSecrets,
    private_key: bytes,
    before_secrets: AttackSecrets | None = None,
) -> Attack:
    """Save changes; sensitive fields are re-encrypted under the record's own data key.

    With `before_secrets`, the audit entry also names the sensitive fields that changed."""
    data_key = open_data_key(private_key, bytes(attack.data_key_sealed))
    with transaction.atomic():
        _check_campaign(attack)
        _seal_secrets(attack, data_key, secrets)
        attack.save()
        details: dict[str, Any] = {"coded_fields_changed": coded_changes(before, attack)}
        if before_secrets is not None:
            details["sensitive_fields_changed"] = [
                name
                for name in ATTACK_SENSITIVE_FIELDS
                if getattr(before_secrets, name) != getattr(secrets, name)
            ]
        audit_append(
            actor=actor,
            action="attack.update",
            obj=attack,
            organisation_id=attack.organisation_id,
            details=details,
        )
    return attack


def attack_reveal(*, actor: User, attack: Attack, private_key: bytes) -> AttackSecrets:
    """Decrypt the sensitive fields and the indicators for the actor; the read is audited."""
    data_key = open_data_key(private_key, bytes(attack.data_key_sealed))
    binding = _binding(attack)
    values = open_fields(attack, data_key, binding, ATTACK_SENSITIVE_FIELDS)
    indicators = tuple(
        RevealedIndicator(
            id=str(indicator.pk),
            kind=indicator.kind,
            kind_label=str(indicator.get_kind_display()),
            value=decrypt_text(
                data_key,
                _indicator_binding(attack, indicator),
                "value",
                bytes(indicator.value_enc),
            ),
        )
        for indicator in attack.indicators.all()
    )
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="attack.read",
            obj=attack,
            organisation_id=attack.organisation_id,
        )
    return AttackSecrets(**values, indicators=indicators)


def _index_key(organisation_id: int, private_key: bytes, *, create: bool) -> bytes | None:
    """The organisation's blind-index key: made on first use (32 random bytes sealed to the
    organisation's public key), afterwards opened with the private key of the session."""
    row = BlindIndexKey.objects.filter(organisation_id=organisation_id).first()
    if row is None:
        if not create:
            return None
        raw = secrets_module.token_bytes(crypto.KEY_BYTES)
        sealed = crypto.seal_to_public_key(organisation_public_key(organisation_id), raw)
        try:
            with transaction.atomic():
                BlindIndexKey.objects.create(organisation_id=organisation_id, sealed_key=sealed)
        except IntegrityError:  # made at the same moment by another request: use that one
            row = BlindIndexKey.objects.get(organisation_id=organisation_id)
        else:
            return raw
    return crypto.open_sealed(private_key, bytes(row.sealed_key))


def indicator_add(
    *, actor: User, attack: Attack, kind: str, value: str, private_key: bytes
) -> Indicator:
    """Attach an indicator to an attack: its value encrypted with the attack's data key, and
    its blind index computed with the organisation's index key (so the session must be open)."""
    try:
        normalise(kind, value)
    except IndicatorError as exc:
        raise ActionError(str(exc)) from exc
    if not bytes(attack.data_key_sealed):
        raise ActionError(_("This record was destroyed; nothing can be added to it."))
    data_key = open_data_key(private_key, bytes(attack.data_key_sealed))
    with transaction.atomic():
        index_key = _index_key(attack.organisation_id, private_key, create=True)
        assert index_key is not None
        digest = blind_index(index_key, kind, value)
        if attack.indicators.filter(blind_index=digest).exists():
            raise ActionError(_("This attack already has this indicator."))
        indicator = Indicator(attack=attack, kind=kind, blind_index=digest, created_by=actor)
        indicator.value_enc = encrypt_text(
            data_key, _indicator_binding(attack, indicator), "value", value.strip()
        )
        try:
            with transaction.atomic():
                indicator.save(force_insert=True)
        except IntegrityError as exc:  # the same indicator added at the same moment
            raise ActionError(_("This attack already has this indicator.")) from exc
        audit_append(
            actor=actor,
            action="indicator.add",
            obj=indicator,
            organisation_id=attack.organisation_id,
            details={"attack": str(attack.pk), "kind": kind},
        )
    return indicator


def indicators_find(*, actor: User, kind: str, value: str, private_key: bytes) -> list[Attack]:
    """Attacks of the actor's organisation with an indicator equal to `value` (after
    normalisation), of `kind` or, when `kind` is empty, of any kind the value is valid for.

    Computing the index needs the organisation key: a locked session cannot search."""
    organisation_id = actor.membership.organisation_id
    kinds = [kind] if kind else kinds_accepting(value)
    if not kinds:
        raise ActionError(_("This value is not valid for any kind of indicator."))
    try:
        for k in kinds:
            normalise(k, value)
    except IndicatorError as exc:
        raise ActionError(str(exc)) from exc
    index_key = _index_key(organisation_id, private_key, create=False)
    found: list[Attack] = []
    if index_key is not None:
        digests = [blind_index(index_key, k, value) for k in kinds]
        found = list(attacks_queries.attacks_with_indicator(actor, digests))
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="indicator.find",
            organisation_id=organisation_id,
            details={"kinds": kinds, "matches": len(found)},
        )
    return found


def campaign_create(*, actor: User, campaign: Campaign, description: str) -> Campaign:
    """Save a new campaign of the actor's organisation; its description encrypted."""
    organisation_id = actor.membership.organisation_id
    public_key = organisation_public_key(organisation_id)
    if Campaign.objects.filter(
        organisation_id=organisation_id, label__iexact=campaign.label
    ).exists():
        raise ActionError(_("Your organisation already has a campaign with this label."))
    with transaction.atomic():
        campaign.organisation_id = organisation_id
        campaign.created_by = actor
        data_key, campaign.data_key_sealed = new_data_key(public_key)
        campaign.description_enc = encrypt_text(
            data_key, _campaign_binding(campaign), "description", description
        )
        try:
            with transaction.atomic():
                campaign.save(force_insert=True)
        except IntegrityError as exc:  # the same label saved at the same moment
            raise ActionError(
                _("Your organisation already has a campaign with this label.")
            ) from exc
        audit_append(
            actor=actor,
            action="campaign.create",
            obj=campaign,
            organisation_id=organisation_id,
        )
    return campaign


def campaign_reveal(*, actor: User, campaign: Campaign, private_key: bytes) -> str:
    """The campaign's description, decrypted for the actor; the read is audited."""
    data_key = open_data_key(private_key, bytes(campaign.data_key_sealed))
    description = decrypt_text(
        data_key, _campaign_binding(campaign), "description", bytes(campaign.description_enc)
    )
    with transaction.atomic():
        audit_append(
            actor=actor,
            action="campaign.read",
            obj=campaign,
            organisation_id=campaign.organisation_id,
        )
    return description
