# One image for every process: Rasa, the action server, the outbox worker, the
# coordinators' console and
# migrations (see docker-compose.yml and deploy/k8s/). The model is trained at
# build time, so a container never downloads or trains anything.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 RASA_TELEMETRY_ENABLED=false \
    PYTHONPATH=/app PATH=/app/.venv/bin:$PATH
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/ requirements/
COPY scripts/setup.sh scripts/setup.sh
# Dependencies only (the database is migrated by the "migrate" service).
RUN python -m venv .venv && .venv/bin/pip install --quiet 'pip==24.3.1' \
    && .venv/bin/pip install --quiet -r requirements/lock.txt \
    && .venv/bin/pip install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2

COPY . .
RUN python -m bot.training && useradd --create-home iv && chown -R iv /app
USER iv

EXPOSE 5005 5055 5010
# The API secret comes from IV_RASA_API_TOKEN (never the command line); without
# it, or in production without every secret, the server refuses to start.
CMD ["python", "-m", "scripts.serve", "--model", "models", "--endpoints", "deploy/endpoints.yml", "--credentials", "credentials.channels.yml"]
