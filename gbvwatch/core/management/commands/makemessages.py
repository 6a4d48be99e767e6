"""Django's makemessages, also extracting the `_lazy(...)` alias of gettext_lazy.

The code imports `gettext_lazy as _lazy` (forms, data views). xgettext knows only Django's own
names (`_`, `gettext_lazy`, ...), so without this keyword those labels, help texts and error
messages would never reach the catalogues and would stay in English.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
