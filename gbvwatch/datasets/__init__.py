"""Datasets shipped with gbvwatch (one folder per country, with its SOURCES.md) and their loader.

`gbvwatch load-dataset az` loads the default dataset; see `gbvwatch.datasets.loader`.
"""
