"""`make bench`: a data generator at several scales and a benchmark runner.

- ``python -m bench`` generates (or reuses) one SQLite database per scale under ``bench/data/``
  and measures the main pages and the API against each, next to the bare-Django floor.
- ``bench.generate.generate(counts, seed)`` fills the current default database; the tests use it
  to assert that query counts stay constant as data grows.
"""
