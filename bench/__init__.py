"""Benchmarks (not tests): `make bench` runs `python -m bench` and prints ratios against baselines
measured in the same run."""
