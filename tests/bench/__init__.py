"""Benchmarks against the peers (`make bench`); kept out of the normal pytest run."""
