"""Framework-free analysis: pure functions on arrays and frozen dataclasses (no Django imports)."""
