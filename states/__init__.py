"""One StatesGroup per dialogue; a state's name says what the bot is waiting for."""
