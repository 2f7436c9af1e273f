"""The repositories on PostgreSQL (asyncpg), for several bot processes sharing one database.

They implement the protocols of :mod:`bot.storage.repositories` (and the inbox,
erasure and FSM storage of :mod:`bot.storage.sqlite`) with the same behaviour;
tests/storage runs the same tests against both backends.
"""
