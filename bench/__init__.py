"""Benchmarks of gbvwatch, run by `make bench`; results go to bench/RESULTS.md."""
