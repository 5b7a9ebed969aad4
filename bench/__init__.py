"""Benchmarks for `make bench` (`python -m bench`): one JSON line per figure (interfaces.md).

Every ratio is measured side by side with its reference in the same run, interleaved, medians
taken. Anything that needs its own process (the GUI startup, each members size) runs in a child
process, so import caches, peak memory and the GIL are that child's alone. Benchmarks are not
tests: nothing here is asserted by `make test`; `tests/unit/test_bench_format.py` checks only the
output format.
"""
