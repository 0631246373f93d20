"""Benchmark and evaluation tools (make bench)."""
