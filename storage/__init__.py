"""Persistence: the only package that speaks SQL.

Services depend on the interfaces in :mod:`bot.storage.repositories`; the SQLite
implementations live in :mod:`bot.storage.sqlite`.
"""
