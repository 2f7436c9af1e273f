"""SQLite implementations of the repositories and of aiogram's FSM storage."""
