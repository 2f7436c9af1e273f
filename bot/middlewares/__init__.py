"""Middlewares installed by the dispatcher factory."""
