"""Benchmarks of gbvwatch, run by `make bench`; results go to bench/RESULTS.md."""

import statistics
import time
from collections.abc import Callable
from pathlib import Path


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn` in milliseconds over `repeat` runs, after one warm-up run."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def section_write(
    results: Path, rows: list[str], note: str, *, heading: str, next_heading: str
) -> None:
    """Put `rows` (a section: its heading first), with a line saying when and where they ran,
    in place of the section of RESULTS.md that starts with `heading` (or before the one that
    starts with `next_heading`, as `make bench` orders them), leaving the rest of the file."""
    text = results.read_text(encoding="utf-8")
    block = "\n".join([rows[0], "", note, *rows[1:]]) + "\n"
    head, found, tail = text.partition(heading)
    if found:
        rest = tail[tail.find("\n## ") + 1 :] if "\n## " in tail else ""
        text = head + block + rest
    elif next_heading in text:
        before, _sep, after = text.partition(next_heading)
        text = before + block + "\n" + next_heading + after
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text, encoding="utf-8")
