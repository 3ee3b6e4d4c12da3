# ForSURE logins, production image: gunicorn serving Django, static files by whitenoise.
#
#   docker build -t forsure-logins .
#   docker run --rm --env-file prod.env forsure-logins python manage.py migrate --noinput
#   docker run -d -p 8000:8000 --env-file prod.env forsure-logins
#   docker run -d --env-file prod.env forsure-logins celery -A config worker   # task queue
#   docker run -d --env-file prod.env forsure-logins celery -A config beat     # schedule, once
#
# docker-compose.yml runs the whole deployment (app, worker, PostgreSQL, Redis).
# Configuration comes from the environment at run time (see README, "Deployment"); nothing
# secret is baked into the image.
FROM python:3.11-slim

ENV DEBUG=0 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    GUNICORN_WORKER_TMP_DIR=/dev/shm

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Runtime dependencies only (requirements-dev.txt holds the test tools); a layer of its own so
# that code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# collectstatic imports the settings, which refuse to load without secrets when DEBUG is off:
# throwaway values, generated for this one command and never stored in the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    FIELD_ENCRYPTION_KEY="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    DEBUG=0 \
    python manage.py collectstatic --noinput \
    && python -m compileall -q config clients credentials registrations reporting

USER app

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "config.healthcheck", "/healthz"]

CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
