"""One switch for the size of every benchmark: full for `make bench`, tiny for the test that keeps
bench/ from rotting (tests/test_bench.py), which checks that each one runs, never its timings.

Set WARROOM_BENCH_SIZE=tiny (or run `python -m bench --tiny`); child processes inherit it.
"""

from __future__ import annotations

import os
from typing import TypeVar

ENV = "WARROOM_BENCH_SIZE"
T = TypeVar("T")


def tiny() -> bool:
    return os.environ.get(ENV, "full") == "tiny"


def pick(full: T, tiny_value: T) -> T:
    """`full`, or `tiny_value` when the tiny size was asked for."""
    return tiny_value if tiny() else full


def use_tiny() -> None:
    os.environ[ENV] = "tiny"
