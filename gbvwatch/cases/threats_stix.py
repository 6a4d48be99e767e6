"""Indicators of digital attacks as a STIX 2.1 bundle, for the computer emergency response
teams that help civil society. Framework-free: it takes frozen dataclasses and uses `stix2`.

What goes in, and nothing else:
- one `attack-pattern` per kind of attack among the chosen attacks (English name, as STIX
  consumers expect);
- one `indicator` per distinct indicator value (a STIX pattern; `valid_from` is the earliest
  date of the attacks it was seen in), with an `indicates` relationship to the attack-pattern
  of each kind of attack it was seen in;
- one `observed-data` per attack: its dates (first and last observed) and the observable
  objects of its indicators (domain-name, url, email-addr, file, user-account);
- the TLP marking chosen by the person sharing, on every object.
Never a name, a pseudonym, a narrative, a target, an organisation or a record id: STIX ids are
random (objects) or derived from the value itself (observables)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import stix2

TLP_MARKINGS = {
    "clear": stix2.TLP_WHITE,
    "green": stix2.TLP_GREEN,
    "amber": stix2.TLP_AMBER,
    "red": stix2.TLP_RED,
}
DEFAULT_TLP = "amber"

# Our attack kinds, named for STIX consumers (not translated: the bundle is machine-read).
ATTACK_PATTERN_NAMES = {
    "account_takeover": "Account takeover",
    "page_deletion": "Page or account deleted",
    "intimate_image_leak": "Intimate images leaked",
    "private_content_leak": "Private messages or content leaked",
    "smear_campaign": "Smear campaign",
    "blackmail_sextortion": "Blackmail or sextortion",
    "spyware_phishing": "Spyware or phishing",
    "impersonation": "Impersonation",
    "threats_harassment": "Threats or harassment",
}
# Platforms whose code is a value of STIX's account-type vocabulary (or close to it).
ACCOUNT_TYPES = {"facebook": "facebook", "x": "twitter", "instagram": "instagram",
                 "telegram": "telegram", "whatsapp": "whatsapp", "tiktok": "tiktok",
                 "youtube": "youtube"}  # fmt: skip
# STIX 2.1 has no phone-number object: a number is a user-account of this type, its user_id
# the number in E.164 digits with a "+".
PHONE_ACCOUNT_TYPE = "phone-number"


@dataclass(frozen=True)
class SharedIndicator:
    """One indicator as shared: its kind (gbvwatch code) and its value in normal form."""

    kind: str
    value: str


@dataclass(frozen=True)
class SharedAttack:
    """What is shared of one attack: coded kinds, platform, dates and indicators only."""

    attack_types: tuple[str, ...]
    platform: str
    first_seen: date
    last_seen: date
    indicators: tuple[SharedIndicator, ...]


def _literal(value: str) -> str:
    """A STIX pattern string literal (quotes and backslashes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _handle_account_type(platform: str) -> str:
    return ACCOUNT_TYPES.get(platform, platform or "other")


def stix_pattern(indicator: SharedIndicator, platform: str) -> str:
    """The STIX 2.1 pattern matching one indicator."""
    value = _literal(indicator.value)
    if indicator.kind == "phone":
        value = _literal("+" + indicator.value)
        account_type = _literal(PHONE_ACCOUNT_TYPE)
        return f"[user-account:account_type = {account_type} AND user-account:user_id = {value}]"
    if indicator.kind == "handle":
        account_type = _literal(_handle_account_type(platform))
        return (
            f"[user-account:account_type = {account_type} AND user-account:account_login = {value}]"
        )
    path = {
        "domain": "domain-name:value",
        "url": "url:value",
        "email": "email-addr:value",
        "file_sha256": "file:hashes.'SHA-256'",
    }[indicator.kind]
    return f"[{path} = {value}]"


def stix_observable(indicator: SharedIndicator, platform: str, markings: list[str]) -> Any:
    """The STIX cyber-observable object of one indicator (id derived from the value)."""
    common: dict[str, Any] = {"object_marking_refs": markings}
    if indicator.kind == "domain":
        return stix2.DomainName(value=indicator.value, **common)
    if indicator.kind == "url":
        return stix2.URL(value=indicator.value, **common)
    if indicator.kind == "email":
        return stix2.EmailAddress(value=indicator.value, **common)
    if indicator.kind == "file_sha256":
        return stix2.File(hashes={"SHA-256": indicator.value}, **common)
    if indicator.kind == "phone":
        return stix2.UserAccount(
            user_id="+" + indicator.value, account_type=PHONE_ACCOUNT_TYPE, **common
        )
    return stix2.UserAccount(
        account_login=indicator.value, account_type=_handle_account_type(platform), **common
    )


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def stix_bundle_build(attacks: Sequence[SharedAttack], *, tlp: str, now: datetime) -> Any:
    """A STIX 2.1 bundle of the attacks' indicators under the TLP marking `tlp` (see the
    module's docstring for exactly what it holds). KeyError for an unknown TLP code."""
    marking = TLP_MARKINGS[tlp]
    refs = [marking.id]
    stamp: dict[str, Any] = {"created": now, "modified": now, "object_marking_refs": refs}
    patterns: dict[str, Any] = {}
    for code in sorted({code for attack in attacks for code in attack.attack_types}):
        patterns[code] = stix2.AttackPattern(name=ATTACK_PATTERN_NAMES.get(code, code), **stamp)
    seen: dict[tuple[str, str], tuple[date, set[str], str]] = {}
    observed: list[Any] = []
    observables: dict[str, Any] = {}
    for attack in attacks:
        refs_of_attack = []
        for indicator in attack.indicators:
            key = (indicator.kind, indicator.value)
            first, kinds, platform = seen.get(key, (attack.first_seen, set(), attack.platform))
            seen[key] = (min(first, attack.first_seen), kinds | set(attack.attack_types), platform)
            observable = stix_observable(indicator, attack.platform, refs)
            observables[observable.id] = observable
            refs_of_attack.append(observable.id)
        if refs_of_attack:
            observed.append(
                stix2.ObservedData(
                    first_observed=_moment(attack.first_seen),
                    last_observed=_moment(max(attack.last_seen, attack.first_seen)),
                    number_observed=1,
                    object_refs=sorted(set(refs_of_attack)),
                    **stamp,
                )
            )
    indicators, relationships = [], []
    for (kind, value), (first, kinds, platform) in sorted(seen.items()):
        indicator = stix2.Indicator(
            pattern=stix_pattern(SharedIndicator(kind, value), platform),
            pattern_type="stix",
            valid_from=_moment(first),
            indicator_types=["malicious-activity"],
            **stamp,
        )
        indicators.append(indicator)
        relationships += [
            stix2.Relationship(indicator, "indicates", patterns[code], **stamp)
            for code in sorted(kinds)
        ]
    objects = [marking, *patterns.values(), *indicators, *relationships, *observed]
    return stix2.Bundle(objects=[*objects, *observables.values()])
