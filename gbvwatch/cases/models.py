"""GBV incidents: coded fields in clear (safe to aggregate), sensitive fields encrypted."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def exactly_one_case(name: str) -> models.CheckConstraint:
    """A row that belongs to exactly one case: an incident or a digital attack."""
    return models.CheckConstraint(
        condition=(
            models.Q(incident__isnull=False, attack__isnull=True)
            | models.Q(incident__isnull=True, attack__isnull=False)
        ),
        name=name,
    )


class IncidentType(models.TextChoices):
    """The six GBVIMS core types, plus femicide and technology-facilitated violence."""

    RAPE = "rape", _("Rape")
    SEXUAL_ASSAULT = "sexual_assault", _("Sexual assault")
    PHYSICAL_ASSAULT = "physical_assault", _("Physical assault")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    DENIAL_OF_RESOURCES = "denial_of_resources", _("Denial of resources, opportunities or services")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological or emotional abuse")
    FEMICIDE = "femicide", _("Femicide")
    TECHNOLOGY_FACILITATED = "technology_facilitated", _("Technology-facilitated violence")


class Setting(models.TextChoices):
    HOME = "home", _("Home")
    PUBLIC = "public", _("Public place")
    WORKPLACE = "workplace", _("Workplace or school")
    INSTITUTION = "institution", _("Institution (police, detention, care)")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class AgeBand(models.TextChoices):
    CHILD = "0-11", _("0-11")
    ADOLESCENT = "12-17", _("12-17")
    YOUNG = "18-25", _("18-25")
    ADULT = "26-40", _("26-40")
    MIDDLE = "41-60", _("41-60")
    OLDER = "61+", _("61 and over")
    UNKNOWN = "unknown", _("Not known")


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    TRANS_WOMAN = "trans_woman", _("Transgender woman")
    TRANS_MAN = "trans_man", _("Transgender man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class Relationship(models.TextChoices):
    PARTNER = "intimate_partner", _("Intimate partner")
    FORMER_PARTNER = "former_partner", _("Former partner")
    FAMILY = "family", _("Family member")
    ACQUAINTANCE = "acquaintance", _("Acquaintance")
    STRANGER = "stranger", _("Stranger")
    AUTHORITY = "authority", _("Person in authority")
    UNKNOWN = "unknown", _("Not known")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class RefusalReason(models.TextChoices):
    """Why a service turned the survivor away: evidence the gap analysis counts."""

    GENDER_IDENTITY = "gender_identity", _("Gender identity")
    SONS_AGE = "sons_age", _("Age of her son")
    DISABILITY = "disability", _("Disability")
    FULL = "full", _("No place")
    CLOSED = "closed", _("Closed (hours or holiday)")
    OTHER = "other", _("Other")


# The sensitive fields of an incident, each stored encrypted in `<name>_enc`.
SENSITIVE_FIELDS = ("survivor_name", "contact", "narrative", "exact_place")


class Incident(models.Model):
    """One GBV incident documented by a member organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="incidents"
    )
    type = models.CharField(_("type"), max_length=30, choices=IncidentType.choices, db_index=True)
    incident_date = models.DateField(_("date of the incident"), null=True, blank=True)
    first_contact_date = models.DateField(_("date of first contact"), null=True, blank=True)
    reported_date = models.DateField(_("date reported to the organisation"), null=True, blank=True)
    unit = models.ForeignKey(
        "geography.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("district"),
    )
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    age_band = models.CharField(_("survivor's age"), max_length=10, choices=AgeBand.choices)
    gender_identity = models.CharField(
        _("survivor's gender identity"), max_length=20, choices=GenderIdentity.choices
    )
    disability = models.CharField(
        _("survivor has a disability"), max_length=8, choices=YesNoUnknown.choices
    )
    perpetrator = models.CharField(
        _("perpetrator's relationship"), max_length=20, choices=Relationship.choices
    )
    services_sought = models.JSONField(_("services sought"), default=list, blank=True)
    services_received = models.JSONField(_("services received"), default=list, blank=True)
    consent_statistics = models.BooleanField(_("may be counted in statistics"), default=False)
    consent_referral = models.BooleanField(_("may be referred to a service"), default=False)
    consent_coalition = models.BooleanField(_("may be shared with the coalition"), default=False)
    consent_advocacy = models.BooleanField(_("may be quoted in advocacy"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caseworker"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Envelope: the record's data key sealed to the organisation key; empty once shredded.
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    survivor_name_enc = models.BinaryField(default=b"")
    contact_enc = models.BinaryField(default=b"")
    narrative_enc = models.BinaryField(default=b"")
    exact_place_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            # The list's filters: by type, and "assigned to me".
            models.Index(fields=["organisation", "type", "-created_at"]),
            models.Index(fields=["organisation", "assigned_to", "-created_at"]),
            models.Index(fields=["organisation", "incident_date"]),
            # Covers the coded fields of the search, so counting a search reads this index
            # instead of the rows and their ciphertexts.
            models.Index(
                fields=[
                    "organisation",
                    "gender_identity",
                    "age_band",
                    "disability",
                    "type",
                    "perpetrator",
                    "setting",
                    "unit",
                    "incident_date",
                    "assigned_to",
                    "consent_statistics",
                ],
                name="cases_incident_coded_search",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {str(self.id)[:8]}"


class Refusal(models.Model):
    """A service that refused the survivor, and why (coded; counted by the gap analysis)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="refusals")
    service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_kind = models.CharField(_("kind of service"), max_length=40)
    reason = models.CharField(_("reason"), max_length=20, choices=RefusalReason.choices)
    refused_on = models.DateField(_("date"), null=True, blank=True)


# --- Digital attacks on activists -------------------------------------------------------------


class Platform(models.TextChoices):
    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook")
    TELEGRAM = "telegram", _("Telegram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TIKTOK = "tiktok", _("TikTok")
    X = "x", _("X (Twitter)")
    YOUTUBE = "youtube", _("YouTube")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class AttackType(models.TextChoices):
    ACCOUNT_TAKEOVER = "account_takeover", _("Account takeover")
    PAGE_DELETION = "page_deletion", _("Page or account deleted")
    INTIMATE_IMAGE_LEAK = "intimate_image_leak", _("Intimate images leaked")
    PRIVATE_CONTENT_LEAK = "private_content_leak", _("Private messages or content leaked")
    SMEAR_CAMPAIGN = "smear_campaign", _("Smear campaign")
    BLACKMAIL_SEXTORTION = "blackmail_sextortion", _("Blackmail or sextortion")
    SPYWARE_PHISHING = "spyware_phishing", _("Spyware or phishing")
    IMPERSONATION = "impersonation", _("Impersonation")
    THREATS_HARASSMENT = "threats_harassment", _("Threats or harassment")


class IndicatorKind(models.TextChoices):
    URL = "url", _("Web address (URL)")
    DOMAIN = "domain", _("Domain")
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    FILE_SHA256 = "file_sha256", _("File fingerprint (SHA-256)")
    HANDLE = "handle", _("Account handle")


# The sensitive fields of an attack and of a campaign, each stored encrypted in `<name>_enc`.
ATTACK_SENSITIVE_FIELDS = ("target_identity", "losses", "narrative")
CAMPAIGN_SENSITIVE_FIELDS = ("description",)


class Campaign(models.Model):
    """Attacks that appear to be coordinated, under a pseudonymous label of the organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="attack_campaigns"
    )
    # Stored in clear: a neutral label chosen by the organisation, never a real name.
    label = models.CharField(_("label"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    description_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "label"], name="cases_campaign_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Attack(models.Model):
    """One digital attack on an activist, documented by a member organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="attacks"
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attacks",
        verbose_name=_("campaign"),
    )
    # Stored in clear: a pseudonym only; the real identity is encrypted.
    target_pseudonym = models.CharField(_("target (pseudonym)"), max_length=100)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    attack_types = models.JSONField(_("kinds of attack"), default=list)
    started_on = models.DateField(_("date the attack started"), null=True, blank=True)
    detected_on = models.DateField(_("date it was detected"), null=True, blank=True)
    reported_on = models.DateField(_("date reported to the organisation"), null=True, blank=True)
    unit = models.ForeignKey(
        "geography.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
    )
    consent_statistics = models.BooleanField(_("may be counted in statistics"), default=False)
    consent_coalition = models.BooleanField(_("may be shared with the coalition"), default=False)
    consent_advocacy = models.BooleanField(_("may be quoted in advocacy"), default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caseworker"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Envelope: the record's data key sealed to the organisation key; empty once shredded.
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    target_identity_enc = models.BinaryField(default=b"")
    losses_enc = models.BinaryField(default=b"")
    narrative_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {str(self.id)[:8]}"

    def attack_type_labels(self) -> list[str]:
        """The kinds of attack in the active language."""
        labels = dict(AttackType.choices)
        return [str(labels.get(code, code)) for code in self.attack_types]


class Indicator(models.Model):
    """A technical trace of an attack (a phishing domain, a blackmailer's number...).

    The value is encrypted with the attack's data key; `blind_index` (an HMAC with the
    organisation's separate index key) allows exact-match lookup without decrypting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    attack = models.ForeignKey(Attack, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    value_enc = models.BinaryField(default=b"")
    blind_index = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attack", "blind_index"], name="cases_indicator_unique_per_attack"
            )
        ]


class BlindIndexKey(models.Model):
    """The organisation's key for blind indexes: 32 random bytes sealed to its public key.

    Separate from every data key; computing an index needs the organisation private key."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.PROTECT, related_name="blind_index_key"
    )
    sealed_key = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


# --- Evidence files -------------------------------------------------------------------------


class Evidence(models.Model):
    """A file attached to an incident or an attack, kept encrypted whole and never altered.

    The SHA-256 of the original is computed at intake. The file is encrypted with the record's
    own data key (sealed to the organisation) and stored under a random name; an image also
    gets a working copy without metadata. `hash_only` keeps the hash and a description, never
    the file (for leaked intimate images)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="evidence"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    attack = models.ForeignKey(
        Attack, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    hash_only = models.BooleanField(_("keep only the fingerprint"), default=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    # Detected from the first bytes, never from the file name or the browser's claim.
    content_type = models.CharField(max_length=100)
    stored_name = models.CharField(max_length=64, blank=True)
    working_copy_name = models.CharField(max_length=64, blank=True)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    original_name_enc = models.BinaryField(default=b"")
    description_enc = models.BinaryField(default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [exactly_one_case("cases_evidence_one_parent")]

    def __str__(self) -> str:
        return f"evidence {str(self.id)[:8]}"


class CustodyAction(models.TextChoices):
    ADDED = "added", _("added")
    VIEWED = "viewed", _("viewed")
    DOWNLOADED = "downloaded", _("downloaded the original")
    WORKING_COPY_DOWNLOADED = "working_copy_downloaded", _("downloaded the working copy")
    EXPORTED = "exported", _("exported")
    SHREDDED = "shredded", _("destroyed the file and its key")


class CustodyEntry(models.Model):
    """One link of an evidence file's chain of custody: who did what, when. Append-only;
    `details` holds metadata only, never a name, a description or any content."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    at = models.DateTimeField(auto_now_add=True)
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=30, choices=CustodyAction.choices)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("custody entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("custody entries are append-only")


# --- Notes ------------------------------------------------------------------------------------


class CaseNote(models.Model):
    """A caseworker's dated note on an incident or an attack: append-only, text encrypted.

    Each note has its own data key sealed to the organisation (writing needs no unlock);
    shredding the case shreds its notes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="case_notes"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    attack = models.ForeignKey(
        Attack, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    data_key_sealed = models.BinaryField(default=b"")
    data_key_version = models.PositiveIntegerField(default=1)
    text_enc = models.BinaryField(default=b"")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [exactly_one_case("cases_note_one_parent")]

    def __str__(self) -> str:
        return f"note {str(self.id)[:8]}"
