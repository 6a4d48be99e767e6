"""Threat sharing: STIX 2.1 export of chosen attacks' indicators (round trip through stix2's
own parser, nothing identifying), and import of MVT detection output as evidence plus
indicators (all or nothing, errors naming the record)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import stix2
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gbvwatch.cases import threats_mvt
from gbvwatch.cases.evidence_actions import evidence_open
from gbvwatch.cases.models import Attack, Evidence, Indicator
from gbvwatch.cases.tests.test_attacks import INDICATOR_MARKERS, MARKERS, _add, _create
from gbvwatch.cases.tests.test_incidents import _logged_in
from gbvwatch.cases.threats_actions import attacks_stix_preview
from gbvwatch.cases.threats_stix import SharedAttack, SharedIndicator, stix_bundle_build
from gbvwatch.conftest import PASSWORD, Actor
from gbvwatch.core.models import AuditEntry

STIX_URL = "cases:stix_export"


def _attack_with_indicators(client: Client, **overrides: Any) -> Attack:
    attack = _create(client, **overrides)
    for kind, value in INDICATOR_MARKERS.items():
        assert _add(client, attack, kind, value).status_code == 302
    return attack


def _share(client: Client, attacks: list[Attack], **fields: Any) -> Any:
    data = {"attacks": [str(a.pk) for a in attacks], "tlp": "amber", **fields}
    return client.post(reverse(STIX_URL), data)


def _objects(bundle: Any, kind: str) -> list[Any]:
    return [o for o in bundle.objects if o.type == kind]


@pytest.mark.django_db
def test_stix_bundle_round_trips_through_stix2_and_holds_no_names(bob: Actor):
    client = _logged_in(bob)
    attack = _attack_with_indicators(client, target_pseudonym="CANARY-PSEUDONYM-77")
    preview = _share(client, [attack], preview="1")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="stix-json"' in page and "canary-domain-6a1f.example" in page
    assert not AuditEntry.objects.filter(action="attacks.stix_export").exists()

    response = _share(client, [attack], download="1", your_password=PASSWORD)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    bundle = stix2.parse(text, allow_custom=False)
    assert isinstance(bundle, stix2.Bundle)
    patterns = sorted(i.pattern for i in _objects(bundle, "indicator"))
    assert patterns == sorted([
        "[domain-name:value = 'canary-domain-6a1f.example']",
        "[email-addr:value = 'canary.mail.c3d9@example.org']",
        "[url:value = 'https://canary-url-2b7e.example/Login?next=Q4']",
        "[user-account:account_type = 'instagram' AND user-account:account_login = "
        "'canary_handle_f02c']",
        "[user-account:account_type = 'phone-number' AND user-account:user_id = '+994558675309']",
        "[file:hashes.'SHA-256' = '" + ("c4a7" + "ab" * 30) + "']",
    ])  # fmt: skip
    assert {p.name for p in _objects(bundle, "attack-pattern")} == {
        "Account takeover",
        "Smear campaign",
    }
    assert len(_objects(bundle, "relationship")) == 12  # 6 indicators x 2 kinds of attack
    (observed,) = _objects(bundle, "observed-data")
    assert observed.first_observed == datetime(2026, 10, 1, tzinfo=UTC)
    assert observed.last_observed == datetime(2026, 10, 2, tzinfo=UTC)
    assert len(observed.object_refs) == 6
    for obj in bundle.objects:
        if obj.type != "marking-definition":
            assert obj.object_marking_refs == [stix2.TLP_AMBER.id]
    for secret in [*MARKERS.values(), "CANARY-PSEUDONYM-77", "Ayna", str(attack.pk), "bob"]:
        assert secret not in text
    entry = AuditEntry.objects.get(action="attacks.stix_export")
    assert entry.details["attacks"] == [str(attack.pk)] and entry.details["tlp"] == "amber"
    assert "canary" not in json.dumps(entry.details).lower()


@pytest.mark.django_db
def test_stix_download_needs_the_password_and_the_chosen_marking_is_used(bob: Actor):
    client = _logged_in(bob)
    attack = _attack_with_indicators(client)
    refused = _share(client, [attack], download="1", your_password="wrong password!")
    assert refused.status_code == 200
    assert "your_password" in refused.context["form"].errors
    assert not AuditEntry.objects.filter(action="attacks.stix_export").exists()
    response = _share(client, [attack], download="1", your_password=PASSWORD, tlp="red")
    bundle = stix2.parse(response.content.decode())
    assert {o.id for o in _objects(bundle, "marking-definition")} == {stix2.TLP_RED.id}


@pytest.mark.django_db
def test_stix_export_needs_an_unlocked_session_and_offers_only_own_attacks(bob: Actor, erin: Actor):
    other = _attack_with_indicators(_logged_in(erin))
    client = _logged_in(bob)
    attack = _attack_with_indicators(client)
    page = client.get(reverse(STIX_URL))
    assert [c[0] for c in page.context["form"].fields["attacks"].choices] == [str(attack.pk)]
    refused = _share(client, [other], preview="1")
    assert "attacks" in refused.context["form"].errors  # not a choice for this organisation
    client.cookies.pop("gbvw_unlock")
    assert _share(client, [attack], download="1", your_password=PASSWORD).status_code == 423


def test_stix_patterns_escape_quotes_and_backslashes():
    indicator = SharedIndicator("url", "https://evil.example/a'b\\c")
    attack = SharedAttack(("spyware_phishing",), "other", date(2022, 3, 1), date(2022, 3, 9),
                          (indicator,))  # fmt: skip
    now = datetime(2026, 1, 1, tzinfo=UTC)
    bundle = stix2.parse(stix_bundle_build([attack], tlp="green", now=now).serialize())
    (pattern,) = [o.pattern for o in bundle.objects if o.type == "indicator"]
    assert pattern == "[url:value = 'https://evil.example/a\\'b\\\\c']"
    (url,) = [o for o in bundle.objects if o.type == "url"]
    assert url.value == "https://evil.example/a'b\\c"


# --- MVT -----------------------------------------------------------------------------------
# Samples built here from MVT's documented output: `<module>_detected.json` is a JSON array of
# the module's records, each with `matched_indicator` {value, type, name, stix2_file_name};
# alerts (MVT 3, alerts.json) carry the same object under `ioc`.


def _ioc(value: str, kind: str) -> dict[str, str]:
    return {"value": value, "type": kind, "name": "Spyware X", "stix2_file_name": "x.stix2"}


SAFARI_DETECTED = [
    {"id": 1, "url": "https://Login-Check.EVIL-domain.example/a?b=1", "isodate":
     "2022-03-01 10:00:00.000000", "matched_indicator": _ioc("evil-domain.example", "domains")},
    {"id": 2, "url": "https://evil-domain.example/x", "isodate": "2022-03-01 10:01:00.000000",
     "matched_indicator": _ioc("evil-domain.example", "domains")},
    {"isodate": "2022-03-02 08:00:00.000000", "proc_name": "bh",
     "matched_indicator": _ioc("bh", "processes")},
    {"android.intent.action.VIEW": {"package_name": "com.evil.app",
     "matched_indicator": _ioc("com.evil.app", "app_ids")}},
    {"isodate": "2022-03-03 00:00:00.000000", "url": "https://harmless.example/"},
]  # fmt: skip
ALERTS = [
    {"level": "HIGH", "message": "Found a known suspicious e-mail", "event_time":
     "2022-03-04 09:00:00", "event": {"from": "x"}, "ioc": _ioc("Phish@Evil-Mail.example",
     "emails"), "detected": True},
    {"level": "CRITICAL", "message": "Known malicious file", "event_time": None, "event": {},
     "ioc": _ioc("AB" * 32, "files_sha256"), "detected": True},
    {"level": "INFORMATIONAL", "message": "nothing", "event_time": None, "event": {},
     "ioc": None, "detected": False},
]  # fmt: skip


def _import(client: Client, attack: Attack, name: str, data: bytes) -> Any:
    url = reverse("cases:mvt_import", args=[attack.pk])
    upload = SimpleUploadedFile(name, data, "application/json")
    return client.post(url, {"file": upload, "description": "Checked with MVT"})


def _values(attack: Attack, client: Client) -> set[tuple[str, str]]:
    page = client.get(reverse("cases:attack_detail", args=[attack.pk]))
    return {(i.kind, i.value) for i in page.context["secrets"].indicators}


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_an_mvt_detected_file_imports_into_indicators_and_evidence(bob: Actor, media: Path):
    client = _logged_in(bob)
    attack = _create(client)
    data = json.dumps(SAFARI_DETECTED, indent=1).encode()
    response = _import(client, attack, "safari_history_detected.json", data)
    assert response.status_code == 200, response.content.decode()[:3000]
    imported = response.context["imported"]
    assert (imported.findings.records, imported.findings.detections) == (5, 4)
    assert imported.findings.other_types == (("app_ids", 1), ("processes", 1))
    assert _values(attack, client) == {("domain", "evil-domain.example")}
    evidence = Evidence.objects.get(attack=attack)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(evidence_open(actor=bob.user, evidence=evidence, private_key=_key(bob))) == data
    assert b"evil-domain" not in b"".join(p.read_bytes() for p in _files(media))

    alerts = json.dumps(ALERTS).encode()
    response = _import(client, attack, "alerts.json", alerts)
    assert response.context["imported"].findings.detections == 2
    assert _values(attack, client) == {
        ("domain", "evil-domain.example"),
        ("email", "phish@evil-mail.example"),
        ("file_sha256", "ab" * 32),
    }
    again = _import(client, attack, "safari_history_detected.json", data)
    assert again.context["imported"].added == () and again.context["imported"].already_present == 1
    assert Indicator.objects.filter(attack=attack).count() == 3
    entry = AuditEntry.objects.filter(action="attack.mvt_import").latest("id")
    assert entry.details["indicators_added"] == 0 and "evil" not in json.dumps(entry.details)


def _key(actor: Actor) -> bytes:
    from gbvwatch.core.actions import member_private_key

    return member_private_key(user=actor.user, password=actor.password)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"matched_indicator": {"value": "x.example", "type": "domains"}},\n{"a": ]', "line 2"),
        ("[]".encode("utf-16"), "not UTF-8"),
        (b'"just a string"', "neither a list"),
        (b'[{"id": 1}, 7]', "Record 2 is not an object"),
        (b'[{"id": 1}, {"matched_indicator": "evil.example"}]', "Record 2"),
        (b'[{"matched_indicator": {"value": "not a domain!", "type": "domains"}}]', "Record 1"),
        (b'[{"ioc": {"value": "", "type": "domains"}}]', "Record 1"),
        (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
    ],
)
@pytest.mark.django_db
def test_a_bad_mvt_file_is_refused_whole_naming_the_problem(bob: Actor, media: Path, data, message):
    client = _logged_in(bob)
    attack = _create(client)
    response = _import(client, attack, "x_detected.json", data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors, errors
    assert not Evidence.objects.exists() and not Indicator.objects.exists()
    assert _files(media / "evidence") == []


@pytest.mark.django_db
def test_an_mvt_file_over_the_limit_is_refused(bob: Actor, media: Path, monkeypatch):
    monkeypatch.setattr(threats_mvt, "MAX_BYTES", 100)
    monkeypatch.setattr("gbvwatch.cases.threats_actions.MAX_BYTES", 100)
    client = _logged_in(bob)
    attack = _create(client)
    response = _import(client, attack, "big_detected.json", json.dumps(SAFARI_DETECTED).encode())
    assert "larger than 20 MB" in " ".join(response.context["form"].errors["file"])
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_mvt_import_needs_an_unlocked_session(bob: Actor, media: Path):
    client = _logged_in(bob)
    attack = _create(client)
    client.cookies.pop("gbvw_unlock")
    response = _import(client, attack, "a_detected.json", json.dumps(SAFARI_DETECTED).encode())
    assert response.status_code == 423
    assert not Evidence.objects.exists() and not Indicator.objects.exists()


@pytest.mark.django_db
def test_the_preview_lists_exactly_the_decrypted_indicators(bob: Actor):
    client = _logged_in(bob)
    attack = _attack_with_indicators(client)
    (shared,) = attacks_stix_preview(actor=bob.user, attacks=[attack], private_key=_key(bob))
    assert {i.kind for i in shared.indicators} == set(INDICATOR_MARKERS)
    assert shared.first_seen == date(2026, 10, 1)
