"""Persistence: the only package that speaks SQL.

Services depend on the interfaces in :mod:`storage.repositories`; the SQLite
implementations live in :mod:`storage.sqlite`.
"""
