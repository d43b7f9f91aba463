"""Settings shared by every environment; each value can come from the environment.

dev, test and prod import this module and change only what differs. Production
differs from development by environment variables alone (see README).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # embedded defaults (SQLite, file broker, media) live here

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute address printed in QR codes and notices, e.g. https://rd.example.gov.cn
SITE_URL = env("LIAISON_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "liaison",
    "stations",
    "petitions",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liaison.headers.ContentSecurityPolicyMiddleware",
    "liaison.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the path or the fields: NUL and other control characters answer 400.
    "liaison.middleware.ControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The client's address for the audit log, and every export recorded (liaison/audit.py).
    "liaison.audit.AuditMiddleware",
    # Responses to signed-in users and downloads: Cache-Control private, no-store.
    "liaison.web.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "liaison.middleware.SessionLifetimeMiddleware",
    # Roles that must use a second factor reach nothing but its enrolment page until they do.
    "liaison.twofactor.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
    # Innermost: a view that loses the database answers 503 (liaison/faults.py).
    "liaison.faults.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "liaison.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'liaison.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
# A kept connection is checked before reuse, so the site reconnects by itself after a restart.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# Redis down is a miss, not a 500 (liaison/cache.py). The timeouts keep a dead server from
# hanging requests (a blackholed host otherwise waits for the kernel's TCP timeout), and
# retry=None stops redis-py retrying each failed command with a back-off.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "retry": None}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "liaison.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "liaison.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "liaison.auth.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 practice (liaison/passwords.py): three character classes, no product or deployment name,
    # no short piece repeated.
    {"NAME": "liaison.passwords.CharacterClassesValidator"},
    {"NAME": "liaison.passwords.ForbiddenWordsValidator"},
    {"NAME": "liaison.passwords.RepeatedPatternValidator"},
]
# The deployment's names a password must not contain, besides the product's and the site's host,
# e.g. LIAISON_PASSWORD_FORBIDDEN_WORDS=yanqing,yqrd
LIAISON_PASSWORD_FORBIDDEN_WORDS = env.list("LIAISON_PASSWORD_FORBIDDEN_WORDS", default=[])
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env.int("LIAISON_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ...and 12 hours after sign-in however busy (liaison.middleware.SessionLifetimeMiddleware).
LIAISON_SESSION_MAX_SECONDS = env.int("LIAISON_SESSION_MAX_SECONDS", default=12 * 60 * 60)

# An account is locked for 15 minutes after 5 failed logins, from whatever addresses (django-axes);
# an address after LIAISON_SIGNIN_FAILURES_PER_ADDRESS failures on any accounts (liaison/views/auth.py).
# Unknown usernames count the same way, so a lock says nothing about accounts.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
LIAISON_SIGNIN_FAILURES_PER_ADDRESS = env("LIAISON_SIGNIN_FAILURES_PER_ADDRESS", default="10/900")
# axes.W006 asks for "ip_address" among the lockout parameters, lest rotating cookies or user agents
# escape the lock: here the lock is the account's, whatever the request, and the address has its own
# limit above (an axes limit per address would share the account's 5, locking whole offices behind NAT).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "liaison.views.auth.lockout"
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list("AXES_IP_HEADERS", default=["REMOTE_ADDR"])
AXES_VERBOSE = False

# Roles that must sign in with a second factor (TOTP, liaison/twofactor.py), e.g.
# "committee_office,admin" ("admin" includes superusers); empty: everyone may choose.
LIAISON_2FA_REQUIRED_ROLES = env.list("LIAISON_2FA_REQUIRED_ROLES", default=[])

# The security audit log (liaison/audit.py) is kept at least this many days (等保 2.0: six
# months); nothing deletes a line younger than this, and a system check refuses less than 180.
AUDIT_RETENTION_DAYS = env.int("LIAISON_AUDIT_RETENTION_DAYS", default=365)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"  # never served directly: attachments go through scoped views
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
LIAISON_MAX_UPLOAD_BYTES = env.int("LIAISON_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Images whose header claims more pixels are refused before they are decoded (liaison.uploads):
# 50 Mpx takes a phone's full-size photo (JPEGs decode at a reduced scale anyway); a PNG that
# size decodes in about 150 MB.
LIAISON_MAX_IMAGE_PIXELS = env.int("LIAISON_MAX_IMAGE_PIXELS", default=50_000_000)
LIAISON_MAX_IMPORT_ROWS = env.int("LIAISON_MAX_IMPORT_ROWS", default=300_000)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Messages ride in a signed cookie (the session only for a long one): with the session saved on
# every request (the idle timeout), an htmx request overlapping a page load would write back a
# message that page had just shown.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # addresses (tracking numbers, searches) never leave the site
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Powerful browser features no page uses are switched off for this site and anything it embeds
# (liaison.headers). Residents scan a station's QR code with their phone's own camera app, so
# the site needs no camera; the tracking number's "Copy" button writes the clipboard.
LIAISON_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "usb": [],
    "serial": [],
    "hid": [],
    "screen-wake-lock": [],
    "xr-spatial-tracking": [],
    "clipboard-write": ["self"],
    "fullscreen": ["self"],
}

# Map tiles: an XYZ template. Intranets point this at their own tile server or
# 天地图 (with its key); the default is OpenStreetMap.
MAP_TILE_URL = env("LIAISON_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("LIAISON_MAP_TILE_ATTRIBUTION", default="© OpenStreetMap")
MAP_CENTER = env.list("LIAISON_MAP_CENTER", cast=float, default=[40.4655, 115.9853])  # 延庆
MAP_ZOOM = env.int("LIAISON_MAP_ZOOM", default=10)


# Content-Security-Policy (Django's middleware, through liaison.headers, which adds the map
# tile server of MAP_TILE_URL to img-src): scripts and style sheets from this site, or
# inline with the request's nonce (`{% csp_nonce_attr %}`); never 'unsafe-inline' or
# 'unsafe-eval' for scripts (no inline script or on*= handler: static/js/liaison.js reads
# data- attributes; htmx runs without eval, templates/base.html). No style attribute either:
# templates use the utility classes of static/css/liaison.css, and a progress bar's width is
# set from its data-width by static/js/liaison.js through the CSSOM (which the policy allows).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:", *env.list("LIAISON_CSP_IMG_SOURCES", default=[])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Celery: Redis when REDIS_URL is set, otherwise a broker in the file system
# that needs no server (development and the first run only).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if not REDIS_URL:
    _queue, _control = VAR_DIR / "celery" / "queue", VAR_DIR / "celery" / "control"
    for _folder in (_queue, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "control_folder": str(_control),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process is replaced after this many tasks, or after a task that left it above this
# many KiB resident: a large import or export never keeps its memory in the worker afterwards.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("LIAISON_WORKER_MAX_TASKS_PER_CHILD", default=100)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("LIAISON_WORKER_MAX_MEMORY_KB", default=400_000)
JOB_RESULT_TTL = timedelta(days=env.int("LIAISON_JOB_RESULT_DAYS", default=7))
# A job still pending this long after it was started or last queued is queued again (beat).
LIAISON_JOB_REQUEUE_SECONDS = env.int("LIAISON_JOB_REQUEUE_SECONDS", default=120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LIAISON_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Reception days. Quotas: reception days a year per representative, by level
# (Xiangtan: city, county and township about 3, national and provincial about 2).
# These, the two notice periods, LIAISON_SMS_SIGN_NAME and LIAISON_ONLINE_REPLY_HOURS are the
# deployment's defaults: an office sets its own for its jurisdiction, inherited downward
# (liaison.office_settings, its page 本级设置).
LIAISON_RECEPTION_QUOTAS = {
    "national": env.int("LIAISON_QUOTA_NATIONAL", default=2),
    "provincial": env.int("LIAISON_QUOTA_PROVINCIAL", default=2),
    "city": env.int("LIAISON_QUOTA_CITY", default=3),
    "county": env.int("LIAISON_QUOTA_COUNTY", default=3),
    "township": env.int("LIAISON_QUOTA_TOWNSHIP", default=3),
}
# Rostered representatives are told this many working days before a reception day...
LIAISON_RECEPTION_NOTICE_WORKING_DAYS = env.int("LIAISON_RECEPTION_NOTICE_WORKING_DAYS", default=5)
# ...and a station's representatives this many days before a department-head
# visit (moved back to a working day when it falls on a holiday).
LIAISON_VISIT_NOTICE_DAYS = env.int("LIAISON_VISIT_NOTICE_DAYS", default=10)

# Notices: every message goes through the outbox table (liaison.outbox).
# SMS provider: liaison.sms.OutboxSmsBackend keeps the text in the outbox for
# administrators to read (no provider needed); liaison.sms.HttpSmsBackend posts
# to a gateway (LIAISON_SMS_GATEWAY_URL / _TOKEN / _SIGN_NAME).
LIAISON_SMS_BACKEND = env("LIAISON_SMS_BACKEND", default="liaison.sms.OutboxSmsBackend")
LIAISON_SMS_GATEWAY_URL = env("LIAISON_SMS_GATEWAY_URL", default="")
LIAISON_SMS_GATEWAY_TOKEN = env("LIAISON_SMS_GATEWAY_TOKEN", default="")
# The signature in front of every text message, without 【】 (the default: an office may set its own).
LIAISON_SMS_SIGN_NAME = env("LIAISON_SMS_SIGN_NAME", default="人大代表联络站")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="liaison@localhost")
LIAISON_OUTBOX_MAX_ATTEMPTS = env.int("LIAISON_OUTBOX_MAX_ATTEMPTS", default=6)
LIAISON_OUTBOX_RETRY_BASE_SECONDS = env.int("LIAISON_OUTBOX_RETRY_BASE_SECONDS", default=60)
LIAISON_OUTBOX_BATCH = env.int("LIAISON_OUTBOX_BATCH", default=200)
# A worker claims rows for this long; rows of a worker that died are claimed again after it.
LIAISON_OUTBOX_LEASE_SECONDS = env.int("LIAISON_OUTBOX_LEASE_SECONDS", default=300)
# Seconds one SMS gateway call may take (also the margin a batch keeps before its lease ends).
LIAISON_SMS_TIMEOUT_SECONDS = env.int("LIAISON_SMS_TIMEOUT_SECONDS", default=10)

# The one beat schedule (README, "Scheduled tasks"). Every task here is safe to
# run twice: state lives in the database and each notice has a unique key.
CELERY_BEAT_SCHEDULE = {
    # Jobs started while the broker was down wait in the database; this queues them again.
    "requeue-stale-jobs": {"task": "liaison.tasks.requeue_stale_jobs", "schedule": 60},
    "purge-expired-jobs": {"task": "liaison.tasks.purge_expired_jobs", "schedule": 6 * 60 * 60},
    "purge-staged-uploads": {"task": "petitions.tasks.purge_staged_uploads", "schedule": 6 * 60 * 60},
    # Writes the reception-day and department-visit notices that are due (hourly, so a
    # roster changed today still gets its notice today).
    "queue-reception-notices": {"task": "stations.tasks.queue_reception_notices", "schedule": 60 * 60},
    # Deadline reminders to departments (one digest per user), the office's overdue alerts and
    # late online items: each (item, stage, day) once (petitions.handling.reminders).
    # Personal data past its retention period is anonymised or deleted (liaison.retention).
    "apply-retention": {"task": "liaison.tasks.apply_retention", "schedule": crontab(minute=15, hour=3)},
    "send-deadline-reminders": {
        "task": "petitions.tasks.send_deadline_reminders",
        "schedule": crontab(minute=30, hour=8),
    },
    # Sends pending outbox rows; also kicked right after each commit that writes some.
    "deliver-outbox": {"task": "liaison.tasks.deliver_outbox", "schedule": 30},
}

# Petitions ---------------------------------------------------------------------------------
# Online items (QR code, WeChat): a representative's first reply is due within this many hours
# (the default; an office may set its own, liaison.office_settings).
LIAISON_ONLINE_REPLY_HOURS = env.int("LIAISON_ONLINE_REPLY_HOURS", default=24)
# Photos and documents per petition, and the size limit of each (LIAISON_MAX_UPLOAD_BYTES above).
LIAISON_PETITION_MAX_FILES = env.int("LIAISON_PETITION_MAX_FILES", default=9)
LIAISON_PETITION_MAX_FILE_BYTES = env.int("LIAISON_PETITION_MAX_FILE_BYTES", default=10 * 1024 * 1024)
# Public pages: submissions per IP and per phone, tracking lookups per IP ("count/seconds").
LIAISON_RATE_PETITION_IP = env("LIAISON_RATE_PETITION_IP", default="10/3600")
LIAISON_RATE_PETITION_PHONE = env("LIAISON_RATE_PETITION_PHONE", default="5/86400")
LIAISON_RATE_TRACK_IP = env("LIAISON_RATE_TRACK_IP", default="30/600")
# Proxies in front of the site that append to X-Forwarded-For; 0 trusts only REMOTE_ADDR (rate limits).
LIAISON_TRUSTED_PROXY_COUNT = env.int("LIAISON_TRUSTED_PROXY_COUNT", default=0)
# Paths whose views check control characters themselves, answering in their own format
# (liaison.middleware answers 400 for every other path).
LIAISON_OWN_INPUT_CHECK_PATHS = ["/open311/"]
# Ledger exports up to this many rows download at once; larger ones run as a background job.
LIAISON_EXPORT_SYNC_ROWS = env.int("LIAISON_EXPORT_SYNC_ROWS", default=2000)
# Seconds the dashboard's figures are kept per user (they take seconds over a million items).
LIAISON_DASHBOARD_CACHE_SECONDS = env.int("LIAISON_DASHBOARD_CACHE_SECONDS", default=600)

# Handling ----------------------------------------------------------------------------------
# Representative suggestions: months from assignment to reply (代表法 art. 51), and for
# complex ones with the office's approval.
LIAISON_SUGGESTION_MONTHS = env.int("LIAISON_SUGGESTION_MONTHS", default=3)
LIAISON_SUGGESTION_COMPLEX_MONTHS = env.int("LIAISON_SUGGESTION_COMPLEX_MONTHS", default=6)
# The office triages what a reception day brought within this many working days.
LIAISON_TRIAGE_WORKING_DAYS = env.int("LIAISON_TRIAGE_WORKING_DAYS", default=2)
# Department reminders: this many working days before a deadline (then on the day, then daily);
# the office is alerted once an item is this many working days overdue.
LIAISON_REMINDER_BEFORE_WORKING_DAYS = env.int("LIAISON_REMINDER_BEFORE_WORKING_DAYS", default=3)
LIAISON_OFFICE_ALERT_WORKING_DAYS = env.int("LIAISON_OFFICE_ALERT_WORKING_DAYS", default=3)

# Privacy (PIPL) ----------------------------------------------------------------------------
# Values of petitioners (name, phone, address) one user may reveal per hour (petitions.ledger.privacy).
LIAISON_REVEALS_PER_HOUR = env.int("LIAISON_REVEALS_PER_HOUR", default=20)
# Who residents ask to see, correct or delete what is held about them (the QR form's notice).
LIAISON_PRIVACY_CONTACT = env("LIAISON_PRIVACY_CONTACT", default="")
# Retention (liaison.retention, daily at night): days after which personal data is anonymised or
# deleted; counts and ratings stay. Closed items' petitioner; outbox bodies and addresses; sign-in
# records (keep ≥ 180: 等保 2.0 audit logs); inbox notifications.
LIAISON_RETENTION_CLOSED_PERSONAL_DAYS = env.int("LIAISON_RETENTION_CLOSED_PERSONAL_DAYS", default=730)
LIAISON_RETENTION_OUTBOX_DAYS = env.int("LIAISON_RETENTION_OUTBOX_DAYS", default=180)
LIAISON_RETENTION_LOGIN_DAYS = env.int("LIAISON_RETENTION_LOGIN_DAYS", default=365)
LIAISON_RETENTION_NOTIFICATION_DAYS = env.int("LIAISON_RETENTION_NOTIFICATION_DAYS", default=365)
# Error reports never carry POST bodies or query strings (liaison.error_reports).
DEFAULT_EXCEPTION_REPORTER_FILTER = "liaison.error_reports.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "liaison.error_reports.PrivateExceptionReporter"
