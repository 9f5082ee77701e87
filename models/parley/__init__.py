"""Parley's Python side: the open head, the synthetic corpus, training, export and evaluation."""
