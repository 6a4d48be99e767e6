"""Indicators of digital attacks: normalisation and blind indexes.

An indicator's value is encrypted like any sensitive field; exact-match lookup uses a blind
index instead: HMAC-SHA256, under the organisation's separate index key, of the value in a
normal form, so that "Evil-Domain.EXAMPLE" and "evil-domain.example" match and nothing about
the value can be read from the index without that key. Only high-entropy values (addresses,
numbers, handles, file fingerprints) get an index; coded values such as platforms never do.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _lazy

from gbvwatch.cases.models import IndicatorKind

VALUE_LIMIT = 2000  # characters of an indicator as entered; longer is refused, never cut
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_HANDLE = re.compile(r"[\w.\-]{1,100}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PHONE_NOISE = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"[0-9]{7,15}")
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# Country calling code and length of the national significant number, by instance country
# (ITU-T E.164 national numbering plans). A number written nationally has a trunk "0" first.
NATIONAL_NUMBERING = {"AZ": ("994", 9), "GE": ("995", 9), "AM": ("374", 8), "TR": ("90", 10)}


class IndicatorError(ValueError):
    """The value is not valid for its kind; the message says why and can be shown."""


def _domain(text: str) -> str:
    host = text.strip().rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise IndicatorError(_lazy("This is not a valid domain name.")) from exc
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise IndicatorError(_lazy("This is not a valid domain name."))
    return host


def _email(text: str) -> str:
    local, at, domain = text.strip().rpartition("@")
    if not at or not local:
        raise IndicatorError(_lazy("This is not a valid e-mail address."))
    try:
        address = f"{local.lower()}@{_domain(domain)}"
        validate_email(address)
    except (IndicatorError, ValidationError) as exc:
        raise IndicatorError(_lazy("This is not a valid e-mail address.")) from exc
    return address


def _phone(text: str) -> str:
    # E.164 digits: formatting and the international prefix ("+" or "00") dropped. A number in
    # the instance country's national form ("050 123 45 67" in Azerbaijan) gets the country
    # code in place of its trunk 0, so the local and international forms match.
    compact = _PHONE_NOISE.sub("", text.strip())
    international = True
    if compact.startswith("+"):
        compact = compact[1:]
    elif compact.startswith("00"):
        compact = compact[2:]
    else:
        international = False
    if not _DIGITS.fullmatch(compact):
        raise IndicatorError(_lazy("A phone number has 7 to 15 digits, optionally after a +."))
    plan = NATIONAL_NUMBERING.get(settings.COUNTRY)
    if plan is not None:
        code, length = plan
        if not international and compact.startswith("0") and len(compact) == 1 + length:
            return code + compact[1:]
        # "+994 (050) ..." keeps the trunk 0 after the country code by mistake.
        if compact.startswith(code + "0") and len(compact) == len(code) + 1 + length:
            return code + compact[len(code) + 1 :]
    return compact


def _sha256(text: str) -> str:
    value = text.strip().lower()
    if not _SHA256.fullmatch(value):
        raise IndicatorError(_lazy("A SHA-256 fingerprint is 64 hexadecimal characters."))
    return value


def _handle(text: str) -> str:
    value = text.strip().removeprefix("@").lower()
    if not _HANDLE.fullmatch(value):
        raise IndicatorError(
            _lazy("A handle has up to 100 letters, digits, dots, dashes or underscores.")
        )
    return value


def _host(text: str) -> str:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return _domain(text)
    return f"[{address}]" if address.version == 6 else str(address)


def _url(text: str) -> str:
    # Scheme and host are case-insensitive (lowercased); path and query are kept as entered;
    # the fragment never reaches a server and is dropped.
    value = text.strip()
    invalid = IndicatorError(_lazy("This is not a valid web address (like https://example.org/)."))
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise invalid
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise invalid from exc
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme) or not parts.hostname:
        raise invalid
    try:
        host = _host(parts.hostname)
    except IndicatorError as exc:
        raise invalid from exc
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


_NORMALISERS: dict[str, Callable[[str], str]] = {
    IndicatorKind.URL: _url,
    IndicatorKind.DOMAIN: _domain,
    IndicatorKind.EMAIL: _email,
    IndicatorKind.PHONE: _phone,
    IndicatorKind.FILE_SHA256: _sha256,
    IndicatorKind.HANDLE: _handle,
}


def normalise(kind: str, value: str) -> str:
    """The value in its normal form for its kind; IndicatorError when it is not valid."""
    if kind not in _NORMALISERS:
        raise IndicatorError(_lazy("Unknown kind of indicator."))
    if "\x00" in value or len(value) > VALUE_LIMIT:
        raise IndicatorError(_lazy("This value is too long or contains a NUL character."))
    if not value.strip():
        raise IndicatorError(_lazy("This field is required."))
    return _NORMALISERS[kind](value)


def kinds_accepting(value: str) -> list[str]:
    """Every kind for which the value is valid (for a search that did not name the kind)."""
    kinds = []
    for kind in _NORMALISERS:
        try:
            normalise(kind, value)
        except IndicatorError:
            continue
        kinds.append(kind)
    return kinds


def blind_index(index_key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of the kind and the normal form, as hex; the same value of another kind
    or another organisation (another key) gives an unrelated index."""
    message = f"gbvwatch:indicator:v1:{kind}:{normalise(kind, value)}".encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
