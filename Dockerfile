# liaison: the web application (gunicorn); the same image runs the Celery
# worker and beat (see docker-compose.yml).
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=liaison.settings.prod \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media

# The application runs as an unprivileged user that cannot change its own code.
RUN groupadd --system --gid 1000 liaison \
 && useradd --system --uid 1000 --gid liaison --create-home --home-dir /home/liaison liaison

WORKDIR /app

# Runtime requirements only (every one ships wheels: no compiler needed).
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected into the image; whitenoise serves them. The
# settings require these variables, so the build step gets dummies (collectstatic
# does not open the database). The compiled translations (.mo) are committed.
RUN DJANGO_SECRET_KEY=build-only-dummy-key \
    DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build-only.sqlite3 \
    python manage.py collectstatic --no-input -v1 \
 && mkdir -p /app/var /data/media /data/beat \
 && chown liaison:liaison /app/var /data/media /data/beat

USER liaison

EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
