"""Benchmarks: generated corpora, the query mix, a bounded load test and the full run.

Benchmark-only code: nothing under search/, indexer/ or web/ imports it, and its extra
dependencies (tantivy, pyinstrument) are in the `bench` extra, never runtime dependencies.
"""
