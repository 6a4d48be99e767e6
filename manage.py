#!/usr/bin/env python3
"""Django's manage.py, for developers' habits; `gbvwatch` is the documented entry point."""

from gbvwatch.cli import main

if __name__ == "__main__":
    main()
