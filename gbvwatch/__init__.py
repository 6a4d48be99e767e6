"""gbvwatch: evidence and advocacy system for coalitions fighting gender-based violence."""

__version__ = "0.1.0"
