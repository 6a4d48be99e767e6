"""REST API of case records: incidents, digital attacks, campaigns, indicator lookup, evidence
metadata. JSON in and out; authenticated by the Django session of the web pages (same login,
two-factor and organisation key), with CSRF enforced on unsafe methods.

Lists and coded fields need only `cases.view`. Sensitive fields are decrypted only with the
organisation key of the session, through the actions (which audit the read); without the key
the answer is 423 Locked with a JSON error, never ciphertext. Writes go through the actions:
creating encrypts to the organisation's public key (no unlocking needed), changing needs the
key. Bad input is a 400 naming each field; nothing is written then.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from gbvwatch.cases import actions, attacks_actions, attacks_queries, evidence_queries, queries
from gbvwatch.cases.actions import IncidentSecrets, RefusalInput
from gbvwatch.cases.attacks_actions import AttackSecrets
from gbvwatch.cases.attacks_index import VALUE_LIMIT
from gbvwatch.cases.forms import TEXT_LIMIT
from gbvwatch.cases.models import (
    AgeBand,
    Attack,
    AttackType,
    Campaign,
    CustodyEntry,
    Evidence,
    GenderIdentity,
    Incident,
    IncidentType,
    IndicatorKind,
    Platform,
    Refusal,
    RefusalReason,
    Relationship,
    Setting,
    YesNoUnknown,
)
from gbvwatch.core import crypto, keyring
from gbvwatch.core.access import AccessRule, has_permission, signed_in
from gbvwatch.core.actions import ActionError
from gbvwatch.core.models import User
from gbvwatch.core.queries import members_for
from gbvwatch.directory.models import Kind
from gbvwatch.geography.models import AdminUnit

T = TypeVar("T")
SHOWN_NAME_CHARS = 80  # an unknown field's name is echoed at most this long

# --- Errors, parsing and rendering ------------------------------------------------------------


class KeysLocked(APIException):
    """423: allowed, but this session holds no organisation key to open sensitive fields."""

    status_code = 423
    default_code = "locked"

    def __init__(self) -> None:
        super().__init__(
            {
                "detail": _(
                    "The organisation key is locked in this session, so sensitive fields "
                    "cannot be read or changed. Log in again to unlock it."
                ),
                "code": "locked",
            }
        )


class CannotDecrypt(APIException):
    """423: the key of this session does not open this record (shredded, or rotated since)."""

    status_code = 423
    default_code = "cannot_decrypt"

    def __init__(self) -> None:
        super().__init__(
            {
                "detail": _(
                    "This record cannot be opened with the key of this session: it was "
                    "shredded, or the organisation key was rotated (log in again)."
                ),
                "code": "cannot_decrypt",
            }
        )


class ActionRefused(APIException):
    """409: the action refused in the state things are in (e.g. the organisation has no key
    pair yet, so nothing can be encrypted to it); the message says why."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """JSON only; a body nested too deeply to parse is a 400, not a crash."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply.")) from exc


def _too_large() -> BodyTooLarge:
    return BodyTooLarge(
        _("The request body is larger than %(limit)d bytes.")
        % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    )


class _AsciiJSONRenderer(JSONRenderer):
    ensure_ascii = True


class SafeJSONRenderer(JSONRenderer):
    """UTF-8 JSON; text that cannot be encoded (a lone surrogate) is escaped, never a 500."""

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):  # type: ignore[no-untyped-def]
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return _AsciiJSONRenderer().render(data, accepted_media_type, renderer_context)


def _shown(name: str) -> str:
    """A name from the request, safe to echo in an error: short, no lone surrogates."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")[:SHOWN_NAME_CHARS]


# --- Strict fields: JSON types as documented, no silent conversion ---------------------------


class TextField(serializers.CharField):
    """Text only (a number or a list is refused); no NUL, no unpaired surrogates."""

    default_error_messages = {
        "not_text": _lazy("Expected text."),
        "surrogate": _lazy("Contains a character that is not valid Unicode."),
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("surrogate")
        return str(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """true or false, nothing else."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid")
        raise AssertionError  # fail() raises


class CodeField(serializers.ChoiceField):
    """One code of a fixed list; an unknown code is refused with the list of valid ones
    (the value itself is never echoed)."""

    def to_internal_value(self, data: Any) -> str:
        if data == "" and self.allow_blank:
            return ""
        if not isinstance(data, str) or data not in self.choice_strings_to_values:
            codes = ", ".join(str(code) for code in self.choices)
            raise ValidationError(
                _("Unknown code; expected one of: %(codes)s.") % {"codes": codes},
                code="invalid_choice",
            )
        return data


class LookupField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """An object named by a text key (a district code, a username), looked up only after the
    text has been checked; not finding it never echoes the value."""

    default_error_messages = {
        "does_not_exist": _lazy("Not found."),
        "invalid": _lazy("Expected text."),
    }

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data or len(data) > self.max_length:
            self.fail("does_not_exist")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("does_not_exist")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A serializer that refuses fields it does not know (a misspelt field would otherwise be
    dropped silently, and with it what the caseworker wrote)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = [str(key) for key in data if key not in writable]
            if unknown:
                raise ValidationError({_shown(key): [_("Unknown field.")] for key in unknown[:20]})
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class RevealedField(serializers.Field):  # type: ignore[type-arg]
    """A decrypted sensitive field, taken from the `secrets` in the serializer's context."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return str(getattr(self.context["secrets"], str(self.field_name)))


# --- Representations (coded fields only unless named "Detail") --------------------------------


class ErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class RefusalSerializer(serializers.ModelSerializer[Refusal]):
    service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    service_kind = serializers.ChoiceField(choices=Kind.choices)

    class Meta:
        model = Refusal
        fields = ["service_kind", "reason", "refused_on", "service"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    """An incident's coded fields: safe to list, nothing decrypted."""

    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    assigned_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    services_sought = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    services_received = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    refusals = RefusalSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "type", "incident_date", "first_contact_date", "reported_date", "unit",
            "setting", "age_band", "gender_identity", "disability", "perpetrator",
            "services_sought", "services_received", "refusals", "consent_statistics",
            "consent_referral", "consent_coalition", "consent_advocacy", "assigned_to",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSerializer):
    """Coded fields and the decrypted sensitive fields (only with the session's key)."""

    survivor_name = RevealedField()
    contact = RevealedField()
    exact_place = RevealedField()
    narrative = RevealedField()

    class Meta(IncidentSerializer.Meta):
        fields = [
            *IncidentSerializer.Meta.fields, "survivor_name", "contact", "exact_place", "narrative"
        ]  # fmt: skip
        read_only_fields = fields


class CampaignRefSerializer(serializers.ModelSerializer[Campaign]):
    class Meta:
        model = Campaign
        fields = ["id", "label"]


class AttackSerializer(serializers.ModelSerializer[Attack]):
    """An attack's coded fields (the target's pseudonym, never her identity)."""

    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    campaign = CampaignRefSerializer(read_only=True, allow_null=True)
    attack_types = serializers.ListField(child=serializers.ChoiceField(AttackType.choices))

    class Meta:
        model = Attack
        fields = [
            "id", "target_pseudonym", "platform", "attack_types", "started_on", "detected_on",
            "reported_on", "unit", "campaign", "consent_statistics", "consent_coalition",
            "consent_advocacy", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class RevealedIndicatorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    value = serializers.CharField()


class AttackDetailSerializer(AttackSerializer):
    """Coded fields, the decrypted sensitive fields and indicators (only with the key)."""

    target_identity = RevealedField()
    losses = RevealedField()
    narrative = RevealedField()
    indicators = serializers.SerializerMethodField()

    class Meta(AttackSerializer.Meta):
        fields = [
            *AttackSerializer.Meta.fields, "target_identity", "losses", "narrative", "indicators"
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(RevealedIndicatorSerializer(many=True))
    def get_indicators(self, attack: Attack) -> list[dict[str, Any]]:
        secrets: AttackSecrets = self.context["secrets"]
        return [{"id": i.id, "kind": i.kind, "value": i.value} for i in secrets.indicators]


class CampaignSerializer(serializers.ModelSerializer[Campaign]):
    """A campaign's label (in clear, neutral) and its number of attacks; the description is
    encrypted and not listed."""

    attack_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "label", "attack_count", "created_at"]
        read_only_fields = fields


class CustodySerializer(serializers.ModelSerializer[CustodyEntry]):
    actor = serializers.CharField(source="actor_label", read_only=True)
    details = serializers.DictField(read_only=True)

    class Meta:
        model = CustodyEntry
        fields = ["at", "actor", "action", "details"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    """Evidence metadata: fingerprint, size, detected type, custody log. Never the file, its
    uploaded name or its description (those are encrypted)."""

    has_file = serializers.SerializerMethodField()
    has_working_copy = serializers.SerializerMethodField()
    custody = CustodySerializer(many=True, read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id", "sha256", "size", "content_type", "hash_only", "has_file", "has_working_copy",
            "created_at", "custody",
        ]  # fmt: skip
        read_only_fields = fields

    def get_has_file(self, evidence: Evidence) -> bool:
        return bool(evidence.stored_name)

    def get_has_working_copy(self, evidence: Evidence) -> bool:
        return bool(evidence.working_copy_name)


# --- Input -----------------------------------------------------------------------------------


def _earlier_than(
    attrs: Mapping[str, Any], instance: Any, earlier: str, laters: tuple[str, ...], message: str
) -> dict[str, str]:
    """Errors for dates before `earlier`, using the stored values for fields not sent."""

    def value(name: str) -> Any:
        return attrs[name] if name in attrs else getattr(instance, name, None)

    start = value(earlier)
    return {
        later: message
        for later in laters
        if start is not None and value(later) is not None and value(later) < start
    }


class RefusalInputSerializer(StrictSerializer):
    service_kind = CodeField(choices=Kind.choices)
    reason = CodeField(choices=RefusalReason.choices)
    refused_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH is partial, and DRF passes that on to nested input; a refusal never is.
        missing = [name for name in ("service_kind", "reason") if name not in attrs]
        if missing:
            raise ValidationError({name: _("This field is required.") for name in missing})
        return attrs


class IncidentWriteSerializer(StrictSerializer):
    """An incident as sent: coded fields, sensitive fields (encrypted by the action), refusals."""

    type = CodeField(choices=IncidentType.choices)
    incident_date = serializers.DateField(required=False, allow_null=True)
    first_contact_date = serializers.DateField(required=False, allow_null=True)
    reported_date = serializers.DateField(required=False, allow_null=True)
    unit = LookupField(
        slug_field="code",
        queryset=AdminUnit.objects.all(),
        required=False,
        allow_null=True,
        max_length=60,
        error_messages={"does_not_exist": _lazy("No district has this code.")},
    )
    setting = CodeField(choices=Setting.choices)
    age_band = CodeField(choices=AgeBand.choices)
    gender_identity = CodeField(choices=GenderIdentity.choices)
    disability = CodeField(choices=YesNoUnknown.choices)
    perpetrator = CodeField(choices=Relationship.choices)
    services_sought = serializers.ListField(
        child=CodeField(choices=Kind.choices), required=False, max_length=len(Kind.choices)
    )
    services_received = serializers.ListField(
        child=CodeField(choices=Kind.choices), required=False, max_length=len(Kind.choices)
    )
    consent_statistics = StrictBooleanField(required=False)
    consent_referral = StrictBooleanField(required=False)
    consent_coalition = StrictBooleanField(required=False)
    consent_advocacy = StrictBooleanField(required=False)
    assigned_to = LookupField(
        slug_field="username",
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        max_length=150,
        error_messages={
            "does_not_exist": _lazy("No active member of your organisation has this username.")
        },
    )
    refusals = serializers.ListField(child=RefusalInputSerializer(), required=False, max_length=20)
    survivor_name = TextField(required=False, allow_blank=True, max_length=300)
    contact = TextField(required=False, allow_blank=True, max_length=500)
    exact_place = TextField(required=False, allow_blank=True, max_length=500)
    narrative = TextField(required=False, allow_blank=True, max_length=TEXT_LIMIT)

    SECRET_NAMES = ("survivor_name", "contact", "exact_place", "narrative")

    def __init__(self, *args: Any, actor: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = members_for(actor) if actor is not None else None
        assignable = User.objects.filter(
            pk__in=members.filter(is_active=True).values("user_id") if members is not None else []
        )
        self.fields["assigned_to"].queryset = assignable  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _earlier_than(
            attrs,
            self.instance,
            "incident_date",
            ("first_contact_date", "reported_date"),
            _("This date is before the date of the incident."),
        )
        if errors:
            raise ValidationError(errors)
        for name in ("services_sought", "services_received"):
            if name in attrs:
                attrs[name] = list(dict.fromkeys(attrs[name]))
        return attrs

    def coded(self) -> dict[str, Any]:
        """The validated coded fields, by model field name."""
        skip = {*self.SECRET_NAMES, "refusals"}
        return {k: v for k, v in self.validated_data.items() if k not in skip}

    def secrets(self, current: IncidentSecrets | None = None) -> IncidentSecrets:
        """The sensitive fields sent, over `current` (those not sent keep their value)."""
        sent = {k: v for k, v in self.validated_data.items() if k in self.SECRET_NAMES}
        return dataclasses.replace(current or IncidentSecrets(), **sent)

    def refusal_inputs(self, current: QuerySet[Refusal] | None = None) -> list[RefusalInput]:
        """The refusals sent (they replace the stored ones), else the stored ones."""
        if "refusals" in self.validated_data:
            sent = self.validated_data["refusals"]
            return [
                RefusalInput(r["service_kind"], r["reason"], None, r.get("refused_on"))
                for r in sent
            ]
        stored = current if current is not None else Refusal.objects.none()
        return [RefusalInput(r.service_kind, r.reason, r.service_id, r.refused_on) for r in stored]


class AttackWriteSerializer(StrictSerializer):
    """An attack as sent: coded fields and sensitive fields (encrypted by the action)."""

    target_pseudonym = TextField(max_length=100)
    platform = CodeField(choices=Platform.choices)
    attack_types = serializers.ListField(
        child=CodeField(choices=AttackType.choices),
        min_length=1,
        max_length=len(AttackType.choices),
    )
    started_on = serializers.DateField(required=False, allow_null=True)
    detected_on = serializers.DateField(required=False, allow_null=True)
    reported_on = serializers.DateField(required=False, allow_null=True)
    unit = LookupField(
        slug_field="code",
        queryset=AdminUnit.objects.all(),
        required=False,
        allow_null=True,
        max_length=60,
        error_messages={"does_not_exist": _lazy("No district has this code.")},
    )
    campaign = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.none(),
        pk_field=serializers.UUIDField(),
        required=False,
        allow_null=True,
        error_messages={
            "does_not_exist": _lazy("Your organisation has no campaign with this id."),
            "incorrect_type": _lazy("Expected the id of a campaign."),
        },
    )
    consent_statistics = StrictBooleanField(required=False)
    consent_coalition = StrictBooleanField(required=False)
    consent_advocacy = StrictBooleanField(required=False)
    target_identity = TextField(required=False, allow_blank=True, max_length=500)
    losses = TextField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    narrative = TextField(required=False, allow_blank=True, max_length=TEXT_LIMIT)

    SECRET_NAMES = ("target_identity", "losses", "narrative")

    def __init__(self, *args: Any, actor: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = attacks_queries.campaigns_for(actor)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = _earlier_than(
            attrs,
            self.instance,
            "started_on",
            ("detected_on", "reported_on"),
            _("This date is before the attack started."),
        )
        if errors:
            raise ValidationError(errors)
        if "attack_types" in attrs:
            attrs["attack_types"] = list(dict.fromkeys(attrs["attack_types"]))
        return attrs

    def coded(self) -> dict[str, Any]:
        """The validated coded fields, by model field name."""
        return {k: v for k, v in self.validated_data.items() if k not in self.SECRET_NAMES}

    def secrets(self, current: AttackSecrets | None = None) -> AttackSecrets:
        """The sensitive fields sent, over `current` (those not sent keep their value)."""
        sent = {k: v for k, v in self.validated_data.items() if k in self.SECRET_NAMES}
        return dataclasses.replace(current or AttackSecrets(), **sent)


class IndicatorInputSerializer(StrictSerializer):
    kind = CodeField(choices=IndicatorKind.choices)
    value = TextField(max_length=VALUE_LIMIT, trim_whitespace=False)


class IndicatorLookupSerializer(StrictSerializer):
    kind = CodeField(
        choices=IndicatorKind.choices,
        required=False,
        allow_blank=True,
        help_text="empty or absent: every kind the value is valid for",
    )
    value = TextField(max_length=VALUE_LIMIT, trim_whitespace=False)


class IndicatorCreatedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)


class LookupResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    results = AttackSerializer(many=True)


class DateRangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    date_from = serializers.DateField(required=False, help_text="on or after (YYYY-MM-DD)")
    date_to = serializers.DateField(required=False, help_text="on or before (YYYY-MM-DD)")
    unit = serializers.CharField(required=False, max_length=60, help_text="district code")

    def validate_unit(self, code: str) -> str:
        if not AdminUnit.objects.filter(code=code).exists():
            raise ValidationError(_("No district has this code."))
        return code

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_to"] < attrs["date_from"]
        ):
            raise ValidationError({"date_to": _("This date is before the start of the range.")})
        return attrs


class IncidentFilterSerializer(DateRangeSerializer):
    type = CodeField(choices=IncidentType.choices, required=False)
    mine = serializers.BooleanField(required=False, help_text="only incidents assigned to me")


class AttackFilterSerializer(DateRangeSerializer):
    platform = CodeField(choices=Platform.choices, required=False)
    campaign = serializers.UUIDField(required=False)


# --- Access, keys --------------------------------------------------------------------------


class CasesPermission(BasePermission):
    """The view's read permission for safe methods, its write permission otherwise."""

    def has_permission(self, request: Request, view: Any) -> bool:
        needed = view.read_permission if request.method in SAFE_METHODS else view.write_permission
        return has_permission(request.user, needed)


class CasesPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


def _private_key(request: Request) -> bytes:
    """The organisation key of this session, or 423."""
    try:
        return keyring.private_key(request._request)
    except keyring.KeysLockedError as exc:
        raise KeysLocked from exc


def _opening(work: Callable[[], T]) -> T:
    """Run work that decrypts; a record the key does not open is 423, never ciphertext."""
    try:
        return work()
    except crypto.DecryptionError as exc:
        raise CannotDecrypt from exc


def _action(work: Callable[[], T]) -> T:
    """Run an action that may refuse (409 with its message; e.g. no organisation key yet)."""
    try:
        return work()
    except ActionError as exc:
        raise ActionRefused(str(exc)) from exc


def _filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class CasesAPIView(generics.GenericAPIView):  # type: ignore[type-arg]
    """Session-authenticated JSON views of case records, members of the organisation only.

    `as_view` labels the view with the access rule its permission class enforces, so the URL
    access matrix sees the same rule the requests meet."""

    read_permission = "cases.view"
    write_permission = "cases.edit"
    permission_classes = [CasesPermission]
    parser_classes = [BoundedJSONParser]
    renderer_classes = [SafeJSONRenderer]
    pagination_class = CasesPagination
    metadata_class = None

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        labelled = cls.read_permission if hasattr(cls, "get") else cls.write_permission
        view.access_rule = AccessRule("member", labelled)  # type: ignore[attr-defined]
        return view

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # When DRF refuses a request at authentication (a failed CSRF check), it sets the
        # Django request's user to anonymous; the keyring middleware would then delete the
        # member's key cookie, so that any forged cross-site request could lock her session.
        # The session was not ended: give the request its user back before the middleware runs.
        session_user = getattr(request, "user", None)
        response = super().dispatch(request, *args, **kwargs)
        if session_user is not None:
            request.user = session_user
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        length = str(request.META.get("CONTENT_LENGTH") or "")
        if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise _too_large()

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig):  # a body without a length that grew too large
            exc = _too_large()
        return super().handle_exception(exc)

    def paginated(self, queryset: QuerySet[Any], serializer_class: Any) -> Response:
        page = self.paginate_queryset(queryset)
        assert page is not None
        return self.get_paginated_response(serializer_class(page, many=True).data)


ERRORS: dict[int, Any] = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="field name -> list of messages"),
    403: OpenApiResponse(ErrorSerializer, description="not logged in, or no permission"),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="not found in your organisation")}
LOCKED = {423: OpenApiResponse(ErrorSerializer, description="the session holds no key (locked)")}
NO_KEY = {409: OpenApiResponse(ErrorSerializer, description="refused: e.g. no organisation key")}
INCIDENT_ID = OpenApiParameter("incident_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
ATTACK_ID = OpenApiParameter("attack_id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def _created(data: Any, location: str) -> Response:
    return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})


@dataclasses.dataclass(frozen=True)
class _RecordKind:
    """How the API reads and changes one kind of case record with sensitive fields."""

    model: type[Incident] | type[Attack]
    get: Callable[[User, str], Any]
    reveal: Callable[[User, Any, bytes], Any]
    # (actor, record, values before, new secrets, validated input, key): saves the change.
    update: Callable[[User, Any, dict[str, Any], Any, Any, bytes], Any]
    write: type[IncidentWriteSerializer] | type[AttackWriteSerializer]
    detail: type[IncidentDetailSerializer] | type[AttackDetailSerializer]


def _revealed(request: Request, kind: _RecordKind, record_id: str) -> Response:
    """The record with its decrypted fields; the read is audited by the action. 423 if locked."""
    user = signed_in(request)
    record = kind.get(user, record_id)
    key = _private_key(request)
    secrets = _opening(lambda: kind.reveal(user, record, key))
    return Response(kind.detail(record, context={"secrets": secrets}).data)


def _patched(request: Request, kind: _RecordKind, record_id: str) -> Response:
    """Apply the fields sent: coded ones set, sensitive ones merged and re-encrypted."""
    user = signed_in(request)
    record = kind.get(user, record_id)
    key = _private_key(request)
    incoming = kind.write(record, data=request.data, partial=True, actor=user)
    incoming.is_valid(raise_exception=True)
    current = _opening(lambda: kind.reveal(user, record, key))
    before = {f.attname: getattr(record, f.attname) for f in kind.model._meta.concrete_fields}
    for name, value in incoming.coded().items():
        setattr(record, name, value)
    secrets = incoming.secrets(current)
    _opening(lambda: kind.update(user, record, before, secrets, incoming, key))
    saved = kind.get(user, record_id)
    return Response(kind.detail(saved, context={"secrets": secrets}).data)


# --- Incidents -------------------------------------------------------------------------------


def _filtered_incidents(user: User, params: Mapping[str, Any]) -> QuerySet[Incident]:
    incidents = queries.incidents_for(user)
    if params.get("type"):
        incidents = incidents.filter(type=params["type"])
    if params.get("unit"):
        incidents = incidents.filter(unit__code=params["unit"])
    if params.get("mine"):
        incidents = incidents.filter(assigned_to=user)
    if params.get("date_from"):
        incidents = incidents.filter(incident_date__gte=params["date_from"])
    if params.get("date_to"):
        incidents = incidents.filter(incident_date__lte=params["date_to"])
    return incidents


class IncidentListAPI(CasesAPIView):
    """Incidents of your organisation (coded fields), and recording a new one."""

    @extend_schema(
        parameters=[IncidentFilterSerializer],
        responses={200: IncidentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Coded fields only; filters by type, district, assignment and incident date."""
        params = _filters(IncidentFilterSerializer, request)
        return self.paginated(_filtered_incidents(signed_in(request), params), IncidentSerializer)

    @extend_schema(
        request=IncidentWriteSerializer,
        responses={201: IncidentSerializer, **ERRORS, **NO_KEY},
    )
    def post(self, request: Request) -> Response:
        """Record an incident; sensitive fields are encrypted without unlocking anything."""
        user = signed_in(request)
        incoming = IncidentWriteSerializer(data=request.data, actor=user)
        incoming.is_valid(raise_exception=True)
        incident = _action(
            lambda: actions.incident_create(
                actor=user,
                incident=Incident(**incoming.coded()),
                secrets=incoming.secrets(),
                refusals=incoming.refusal_inputs(),
            )
        )
        incident = queries.incident_get(user, str(incident.pk))
        location = reverse("api-case-incident-detail", args=[incident.pk])
        return _created(IncidentSerializer(incident).data, location)


class IncidentDetailAPI(CasesAPIView):
    """One incident with its sensitive fields, and changes to it; both need the key."""

    @extend_schema(
        parameters=[INCIDENT_ID],
        responses={200: IncidentDetailSerializer, **ERRORS, **NOT_FOUND, **LOCKED},
    )
    def get(self, request: Request, incident_id: str) -> Response:
        """Coded and decrypted sensitive fields; the read is audited. 423 when locked."""
        return _revealed(request, INCIDENTS, incident_id)

    @extend_schema(
        parameters=[INCIDENT_ID],
        request=IncidentWriteSerializer,
        responses={200: IncidentDetailSerializer, **ERRORS, **NOT_FOUND, **LOCKED},
    )
    def patch(self, request: Request, incident_id: str) -> Response:
        """Change the fields sent; sensitive ones are re-encrypted. 423 when locked."""
        return _patched(request, INCIDENTS, incident_id)


# --- Digital attacks, campaigns, indicators --------------------------------------------------


def _filtered_attacks(user: User, params: Mapping[str, Any]) -> QuerySet[Attack]:
    attacks = attacks_queries.attacks_for(user)
    if params.get("platform"):
        attacks = attacks.filter(platform=params["platform"])
    if params.get("unit"):
        attacks = attacks.filter(unit__code=params["unit"])
    if params.get("campaign"):
        attacks = attacks.filter(campaign_id=params["campaign"])
    if params.get("date_from"):
        attacks = attacks.filter(started_on__gte=params["date_from"])
    if params.get("date_to"):
        attacks = attacks.filter(started_on__lte=params["date_to"])
    return attacks


class AttackListAPI(CasesAPIView):
    """Digital attacks of your organisation (coded fields), and recording a new one."""

    @extend_schema(
        parameters=[AttackFilterSerializer],
        responses={200: AttackSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Coded fields only; filters by platform, district, campaign and start date."""
        params = _filters(AttackFilterSerializer, request)
        return self.paginated(_filtered_attacks(signed_in(request), params), AttackSerializer)

    @extend_schema(
        request=AttackWriteSerializer,
        responses={201: AttackSerializer, **ERRORS, **NO_KEY},
    )
    def post(self, request: Request) -> Response:
        """Record an attack; sensitive fields are encrypted without unlocking anything."""
        user = signed_in(request)
        incoming = AttackWriteSerializer(data=request.data, actor=user)
        incoming.is_valid(raise_exception=True)
        attack = _action(
            lambda: attacks_actions.attack_create(
                actor=user, attack=Attack(**incoming.coded()), secrets=incoming.secrets()
            )
        )
        attack = attacks_queries.attack_get(user, str(attack.pk))
        location = reverse("api-case-attack-detail", args=[attack.pk])
        return _created(AttackSerializer(attack).data, location)


class AttackDetailAPI(CasesAPIView):
    """One attack with its sensitive fields and indicators, and changes to it."""

    @extend_schema(
        parameters=[ATTACK_ID],
        responses={200: AttackDetailSerializer, **ERRORS, **NOT_FOUND, **LOCKED},
    )
    def get(self, request: Request, attack_id: str) -> Response:
        """Coded fields, decrypted sensitive fields and indicators; audited. 423 when locked."""
        return _revealed(request, ATTACKS, attack_id)

    @extend_schema(
        parameters=[ATTACK_ID],
        request=AttackWriteSerializer,
        responses={200: AttackDetailSerializer, **ERRORS, **NOT_FOUND, **LOCKED},
    )
    def patch(self, request: Request, attack_id: str) -> Response:
        """Change the fields sent; sensitive ones are re-encrypted. 423 when locked."""
        return _patched(request, ATTACKS, attack_id)


class IndicatorAddAPI(CasesAPIView):
    """Attach an indicator to an attack (needs the key: encryption and blind index)."""

    @extend_schema(
        parameters=[ATTACK_ID],
        request=IndicatorInputSerializer,
        responses={201: IndicatorCreatedSerializer, **ERRORS, **NOT_FOUND, **LOCKED},
    )
    def post(self, request: Request, attack_id: str) -> Response:
        """The value is encrypted; only its blind index is kept for exact lookups."""
        user = signed_in(request)
        attack = attacks_queries.attack_get(user, attack_id)
        key = _private_key(request)
        incoming = IndicatorInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            indicator = _opening(
                lambda: attacks_actions.indicator_add(
                    actor=user,
                    attack=attack,
                    kind=incoming.validated_data["kind"],
                    value=incoming.validated_data["value"],
                    private_key=key,
                )
            )
        except ActionError as exc:
            raise ValidationError({"value": [str(exc)]}) from exc
        location = reverse("api-case-attack-detail", args=[attack.pk])
        return _created({"id": str(indicator.pk), "kind": indicator.kind}, location)


class IndicatorLookupAPI(CasesAPIView):
    """Attacks of your organisation with an indicator equal to the value sent (exact match
    after normalisation, through the blind index). A POST, so that the indicator never ends
    up in a URL or a server log; it reads only and needs `cases.view` and the key."""

    write_permission = "cases.view"

    @extend_schema(
        request=IndicatorLookupSerializer,
        responses={200: LookupResultSerializer, **ERRORS, **LOCKED},
    )
    def post(self, request: Request) -> Response:
        """Exact-match lookup; the search is audited (kinds and number of matches only)."""
        user = signed_in(request)
        key = _private_key(request)
        incoming = IndicatorLookupSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            found = _opening(
                lambda: attacks_actions.indicators_find(
                    actor=user,
                    kind=incoming.validated_data.get("kind", ""),
                    value=incoming.validated_data["value"],
                    private_key=key,
                )
            )
        except ActionError as exc:
            raise ValidationError({"value": [str(exc)]}) from exc
        return Response({"count": len(found), "results": AttackSerializer(found, many=True).data})


class CampaignListAPI(CasesAPIView):
    """Campaigns of your organisation with their number of attacks."""

    @extend_schema(responses={200: CampaignSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        """Labels and counts only; descriptions are encrypted and not listed."""
        return self.paginated(attacks_queries.campaigns_for(signed_in(request)), CampaignSerializer)


# --- Evidence metadata -----------------------------------------------------------------------


class IncidentEvidenceAPI(CasesAPIView):
    """Evidence of one incident: metadata and custody log only, never a file."""

    @extend_schema(
        parameters=[INCIDENT_ID],
        responses={200: EvidenceSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, incident_id: str) -> Response:
        """Fingerprint, size, detected type, custody entries; no name or description."""
        user = signed_in(request)
        incident = queries.incident_get(user, incident_id)
        evidence = evidence_queries.evidence_for(user).filter(incident=incident)
        return self.paginated(evidence.prefetch_related("custody"), EvidenceSerializer)


class AttackEvidenceAPI(CasesAPIView):
    """Evidence of one attack: metadata and custody log only, never a file."""

    @extend_schema(
        parameters=[ATTACK_ID],
        responses={200: EvidenceSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    def get(self, request: Request, attack_id: str) -> Response:
        """Fingerprint, size, detected type, custody entries; no name or description."""
        user = signed_in(request)
        attack = attacks_queries.attack_get(user, attack_id)
        evidence = evidence_queries.evidence_for(user).filter(attack=attack)
        return self.paginated(evidence.prefetch_related("custody"), EvidenceSerializer)


INCIDENTS = _RecordKind(
    model=Incident,
    get=queries.incident_get,
    reveal=lambda user, incident, key: actions.incident_reveal(
        actor=user, incident=incident, private_key=key
    ),
    update=lambda user, incident, before, secrets, incoming, key: actions.incident_update(
        actor=user,
        incident=incident,
        before=before,
        secrets=secrets,
        refusals=incoming.refusal_inputs(incident.refusals.all()),
        private_key=key,
    ),
    write=IncidentWriteSerializer,
    detail=IncidentDetailSerializer,
)
ATTACKS = _RecordKind(
    model=Attack,
    get=attacks_queries.attack_get,
    reveal=lambda user, attack, key: attacks_actions.attack_reveal(
        actor=user, attack=attack, private_key=key
    ),
    update=lambda user, attack, before, secrets, _incoming, key: attacks_actions.attack_update(
        actor=user, attack=attack, before=before, secrets=secrets, private_key=key
    ),
    write=AttackWriteSerializer,
    detail=AttackDetailSerializer,
)
