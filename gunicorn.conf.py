"""Gunicorn settings for liaison (production): `gunicorn -c gunicorn.conf.py`.

Every value can be changed through the environment:
  PORT               port to listen on (all addresses), default 8000
  WEB_CONCURRENCY    worker processes, default 2 x CPU cores + 1
  GUNICORN_THREADS   threads per worker, default 4
  GUNICORN_TIMEOUT   seconds a request may take before its worker is restarted, default 60
FORWARDED_ALLOW_IPS (read by gunicorn itself) lists the proxies trusted to say
that a request came over HTTPS.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

# liaison/wsgi.py selects liaison.settings.prod unless DJANGO_SETTINGS_MODULE is set.
wsgi_app = "liaison.wsgi:application"

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# More than one thread selects the threaded worker (gthread): a slow export
# download or upload does not hold a whole process.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30  # on restart, requests under way get this long to finish
keepalive = 5

# Restart each worker after a number of requests, staggered so they do not all
# restart at once; this bounds any slow growth in memory.
max_requests = 1000
max_requests_jitter = 100

# Logs to the console, where systemd or docker collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Real client address first when a proxy sets X-Forwarded-For. The path without its query
# string (%(U)s, not the request line %(r)s) and no referer: a phone typed into a search box
# never lands in the log (tests/security/test_private_responses.py).
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Heartbeat files in memory, not on a (possibly slow) container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# No product or version in the Server header, nor in SERVER_SOFTWARE (issue 14): gunicorn names
# itself in every response. Its Response class reads these module names for each response.
gunicorn.http.wsgi.SERVER = "web"
gunicorn.http.wsgi.SERVER_SOFTWARE = "web"
