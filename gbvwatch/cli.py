"""The `gbvwatch` command: Django's management commands, with hyphenated verbs allowed
(`gbvwatch load-dataset az` runs the `load_dataset` command)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a gbvwatch subcommand; exits with its status."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "gbvwatch"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gbvwatch.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
