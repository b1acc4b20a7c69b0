"""Benchmarks: ``make bench`` runs every ``bench/<area>.py`` and writes ``bench/results.json``."""
