"""For the people who run the bot: metrics, health, structured logs (see docs/operations.md)."""
