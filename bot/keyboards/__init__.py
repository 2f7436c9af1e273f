"""Keyboards: pure functions returning markup."""
