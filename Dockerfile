# The bot's image for docker-compose.yml (README, «Production»).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY states states
COPY storage storage
COPY fake_telegram fake_telegram
RUN pip install --no-cache-dir .
USER nobody
CMD ["python", "-m", "bot"]
