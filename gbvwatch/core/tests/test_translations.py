"""The Azerbaijani and Russian catalogues: complete, compiled, consistent, and in use.

The .mo files are committed (a fresh machine may have no GNU gettext), so a .po edited without
running `make messages` must fail here rather than ship stale translations.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib  # type: ignore[import-untyped]  # no stubs in the dev lock
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LANGS = ["az", "ru"]
PLURAL_FORMS = {
    "az": "nplurals=2; plural=(n != 1);",
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
}
# %(name)s, %(n)d, %(byte)02x, %s ... ("%%" is a literal percent sign, not a placeholder).
PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[diouxXeEfFgGcrsa%])"
)
# {name}, {0}, {name:>10}; not the "{{" and "}}" escapes.
BRACE = re.compile(r"(?<!\{)\{(?P<name>\w*)(?:[!:][^{}]*)?\}(?!\})")


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(po_path(lang)))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def percent_placeholders(text: str) -> Counter[tuple[str | None, str]]:
    return Counter((m["name"], m["conv"]) for m in PERCENT.finditer(text) if m["conv"] != "%")


def named_placeholders(text: str) -> set[str]:
    return {m["name"] for m in PERCENT.finditer(text) if m["name"] is not None}


def brace_placeholders(text: str) -> set[str]:
    return {m["name"] for m in BRACE.finditer(text)}


def test_locale_dir_is_the_one_django_reads() -> None:
    assert LOCALE_DIR in [Path(p).resolve() for p in settings.LOCALE_PATHS]
    assert {"az", "ru"} <= {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("lang", LANGS)
def test_header_declares_language_and_plural_forms(lang: str) -> None:
    po = catalogue(lang)
    assert po.metadata["Language"] == lang
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"].strip() == PLURAL_FORMS[lang]
    assert "fuzzy" not in (po.metadata_is_fuzzy or []), "the header is marked fuzzy"


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(lang: str) -> None:
    po = catalogue(lang)
    entries = live_entries(po)
    assert len(entries) > 100, "the catalogue looks empty: run `make messages`"
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[lang])[1])  # type: ignore[index]

    untranslated = [e.msgid for e in entries if not all(s.strip() for s in translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    wrong_form_count = [
        e.msgid for e in entries if e.msgid_plural and len(e.msgstr_plural) != nplurals
    ]
    assert untranslated == [], f"{lang}: untranslated messages"
    assert fuzzy == [], f"{lang}: fuzzy messages"
    assert wrong_form_count == [], f"{lang}: plural messages without {nplurals} forms"


def mo_pairs(mo: polib.MOFile) -> set[tuple[str | None, str, str, tuple[tuple[int, str], ...]]]:
    return {(e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}


@pytest.mark.parametrize("lang", LANGS)
def test_mo_file_is_compiled_from_the_current_po(lang: str, tmp_path: Path) -> None:
    existing = po_path(lang).with_suffix(".mo")
    assert existing.is_file(), f"{existing} is missing: run `make messages`"
    fresh = tmp_path / "fresh.mo"
    catalogue(lang).save_as_mofile(str(fresh))

    compiled, expected = polib.mofile(str(existing)), polib.mofile(str(fresh))
    stale = mo_pairs(expected) ^ mo_pairs(compiled)
    assert not stale, f"{existing} is stale: run `make messages` (differences: {sorted(stale)[:5]})"
    assert compiled.metadata.get("Plural-Forms") == expected.metadata.get("Plural-Forms")


def placeholders_differ(source: str, text: str, *, python_format: bool) -> bool:
    if python_format and percent_placeholders(text) != percent_placeholders(source):
        return True
    return (named_placeholders(text), brace_placeholders(text)) != (
        named_placeholders(source),
        brace_placeholders(source),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match_between_msgid_and_msgstr(lang: str) -> None:
    problems = [
        (entry.msgid, text)
        for entry in live_entries(catalogue(lang))
        for text in translations(entry)
        if placeholders_differ(
            entry.msgid_plural or entry.msgid, text, python_format="python-format" in entry.flags
        )
    ]
    assert problems == [], f"{lang}: placeholders differ"


def test_placeholder_patterns() -> None:
    assert named_placeholders("0x%(byte)02x at %(line)d, 100%%") == {"byte", "line"}
    assert percent_placeholders("%(low)g to %s and 5%%") == Counter(
        {("low", "g"): 1, (None, "s"): 1}
    )
    assert brace_placeholders("{name} and {{ literal }} and {0:>3}") == {"name", "0"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", {1: "1 служба", 3: "3 службы", 5: "5 служб", 11: "11 служб", 21: "21 служба"}),
        ("az", {1: "1 xidmət", 3: "3 xidmət", 21: "21 xidmət"}),
    ],
)
def test_plural_forms_are_chosen_by_number(lang: str, expected: dict[int, str]) -> None:
    with translation.override(lang):
        for n, text in expected.items():
            assert translation.ngettext("%(n)s service", "%(n)s services", n) % {"n": n} == text


def login_page_msgstr(lang: str) -> str:
    entry = catalogue(lang).find("Log in")
    assert entry is not None and entry.msgstr and entry.msgstr != "Log in"
    return str(entry.msgstr)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_login_page_is_rendered_in_the_chosen_language(client: Client, lang: str, how: str):
    headers = {}
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    else:
        headers["Accept-Language"] = f"{lang},en;q=0.5"

    response = client.get("/login/", headers=headers)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    log_in = login_page_msgstr(lang)
    assert f"<h1>{log_in}</h1>" in html
    assert f">{log_in}</button>" in html
    assert "Log in" not in html
    assert {"az": "Daxil ol", "ru": "Войти"}[lang] == log_in


@pytest.mark.django_db
def test_login_page_stays_english_without_a_choice(client: Client) -> None:
    html = client.get("/login/", headers={"Accept-Language": "en"}).content.decode()
    assert "<h1>Log in</h1>" in html
