"""Settings for Meldpunt.

Configured values come from the environment (or a `.env` file) and fail loudly when a
production value is missing or malformed; computed values follow below them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.checks.security.base import _check_secret_key as secret_key_passes_django_check
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Configured -------------------------------------------------------------------------
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE, _FALSE = {"1", "true", "on", "yes"}, {"0", "false", "off", "no", ""}


def env_flag(name: str, default: bool) -> bool:
    """A boolean setting; a value that is neither clearly on nor off is an error, not False."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use on/off).")
    return raw in _TRUE


DEBUG = env_flag("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}")
}
# A worker keeps its database connection for this many seconds (unless the URL says
# ?conn_max_age=): a new PostgreSQL connection per request costs a process and its caches
# on the server, more than a page of the intake's own queries (loadtest/). One connection
# per gunicorn thread or Celery process; checked before reuse, so a restarted database
# costs no failed request. 0 closes it after every request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Contacts that start more than this many minutes in the future are refused.
CONTACT_FUTURE_TOLERANCE_MINUTES = env.int("CONTACT_FUTURE_TOLERANCE_MINUTES", default=5)
# Unanswered outside-hours attempts shorter than this count as likely misdials.
MISDIAL_SECONDS = env.int("MISDIAL_SECONDS", default=10)
# Staffing: the rules every assignment is checked against (staffing/services/assignments.py).
# Minimum rest in hours between the end of one working day's shifts and the next day's.
MIN_REST_HOURS = env.int("MIN_REST_HOURS", default=11)
# Hours a person may work per ISO week above their contract hours (consultations included).
WEEKLY_HOURS_MARGIN = env.int("WEEKLY_HOURS_MARGIN", default=4)
# The roster warns about responders with fewer team case consultations in a month.
MIN_CONSULTATIONS_PER_MONTH = env.int("MIN_CONSULTATIONS_PER_MONTH", default=1)
if min(MIN_REST_HOURS, WEEKLY_HOURS_MARGIN, MIN_CONSULTATIONS_PER_MONTH) < 0:
    raise ImproperlyConfigured("Staffing settings must not be negative.")

# Roster e-mails (staffing/services/notifications.py), sent by Celery after commit. EMAIL_URL
# in django-environ's form: smtp+tls://user:password@host:587, consolemail:// (the demo's
# default: mails are printed), or smtp://localhost:25 (production default: a local relay).
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
globals().update(EMAIL_CONFIG)  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, …
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Meldpunt <noreply@localhost>")
# Mails link to the page concerned: the address people reach the app at, without a slash.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Reports: the nightly aggregates (reports/services/aggregates.py).
# A nightly run looks at rows updated since the previous run's start minus this margin, so a
# write stamped before that start but committed after it (a long import) is not missed.
REPORTS_CHANGE_MARGIN_HOURS = env.int("REPORTS_CHANGE_MARGIN_HOURS", default=24)
# A rebuild task running longer than this is taken to hang and is stopped (Celery time limit);
# a crashed one's lock expires much sooner (REPORTS_LOCK_LEASE_SECONDS).
REPORTS_LOCK_TIMEOUT_MINUTES = env.int("REPORTS_LOCK_TIMEOUT_MINUTES", default=120)
if REPORTS_CHANGE_MARGIN_HOURS < 0 or REPORTS_LOCK_TIMEOUT_MINUTES < 1:
    raise ImproperlyConfigured("Reports settings: margin >= 0 hours, lock timeout >= 1 minute.")
# Public annual figures (?public=1, --public): counts from 1 to this minus 1 are hidden, with
# the cells that would give them away through the totals (reports/services/suppression.py).
REPORT_SUPPRESSION_THRESHOLD = env.int("REPORT_SUPPRESSION_THRESHOLD", default=5)
if REPORT_SUPPRESSION_THRESHOLD < 1:
    raise ImproperlyConfigured("REPORT_SUPPRESSION_THRESHOLD must be at least 1.")

# Retention (reports/services/retention.py, nightly after the aggregates). Contacts older
# than this many years lose their personal content (notes, victims' relations, case links;
# cases without contacts are deleted) once their days are in the aggregates; their counted
# codes stay, so the annual figures never change.
RETENTION_CONTACT_YEARS = env.int("RETENTION_CONTACT_YEARS", default=5)
# Audit entries older than this many years are purged. Two years: long enough to answer
# "who looked at this file" for any complaint or inspection of the current and previous
# year, short enough that staff's every click is not kept as long as the cases themselves.
RETENTION_AUDIT_YEARS = env.int("RETENTION_AUDIT_YEARS", default=2)
if RETENTION_CONTACT_YEARS < 1 or RETENTION_AUDIT_YEARS < 1:
    raise ImproperlyConfigured("Retention settings must be at least 1 year.")

# Key of the HMAC that turns callers' numbers and chat handles into pseudonyms, so repeat
# callers are recognised without storing who they are. Separate from SECRET_KEY: rotating
# that one must not change every caller's pseudonym.
CALLER_HASH_KEY = env.str("CALLER_HASH_KEY", default="")

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set; see .env.example.")
# Django's own deploy check (security.W009: at least 50 characters, at least 5 different
# ones, not "django-insecure-"), refused rather than warned about; and not the placeholder of
# .env.example.
if not DEBUG and (
    not secret_key_passes_django_check(SECRET_KEY) or SECRET_KEY.startswith("change-me")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak: use at least 50 random characters (see .env.example)."
    )
if not CALLER_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("CALLER_HASH_KEY is not set; see .env.example.")
    CALLER_HASH_KEY = f"development-only-{SECRET_KEY}"
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set; see .env.example.")

# Logging in (meldpunt/accounts). A second factor (TOTP app) is required of everyone;
# with TWO_FACTOR_RESPONDERS off, users whose only role is responder may go without.
TWO_FACTOR_RESPONDERS = env_flag("TWO_FACTOR_RESPONDERS", default=True)
# The demo (`make run`) only: no second factor at all. Never with DEBUG off.
TWO_FACTOR_DISABLED = env_flag("TWO_FACTOR_DISABLED", default=False)
if TWO_FACTOR_DISABLED and not DEBUG:
    raise ImproperlyConfigured("TWO_FACTOR_DISABLED is for the demo only: it needs DEBUG=on.")
# A session ends after this long without a request, and in any case this long after login.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_MAX_AGE_HOURS = env.int("SESSION_MAX_AGE_HOURS", default=12)
if SESSION_IDLE_TIMEOUT_MINUTES < 1 or SESSION_MAX_AGE_HOURS < 1:
    raise ImproperlyConfigured("Session timeouts must be at least 1 minute and 1 hour.")
# Reverse proxies in front of the app that append to X-Forwarded-For: the login lockout
# counts failures per client address, not per proxy (meldpunt/accounts/lockout.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must not be negative.")

# HTTPS. Production redirects http to https and sends HSTS; behind a TLS-terminating reverse
# proxy, SECURE_PROXY_SSL_HEADER names the header it sets ("HTTP_X_FORWARDED_PROTO,https").
# The tests run with DEBUG off over plain http, so they switch the redirect off.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading commits the whole domain to https in every browser for months: an explicit
# choice of whoever runs the domain, off unless set.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=False)
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2 or not _proxy_ssl_header[0].startswith("HTTP_"):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be a header and its value, "
            "e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must not be negative.")

# Operations (docs/deploy.md). Error mail: ADMINS="Name <a@example.org>,b@example.org",
# sent through EMAIL_URL (smtp+tls://user:password@host:587); reports carry no POST values
# and no local variables (meldpunt/observability.py).
ADMINS = [("", address) for address in env.list("ADMINS", default=[])]
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
SERVER_EMAIL = env.str("SERVER_EMAIL", default="meldpunt@localhost")
DEFAULT_FROM_EMAIL = SERVER_EMAIL
DEFAULT_EXCEPTION_REPORTER_FILTER = "meldpunt.observability.PersonalDataFilter"
# Optional Sentry: only when SENTRY_DSN is set, scrubbed of personal data.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from meldpunt.observability import sentry_init

    sentry_init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
# /metrics (Prometheus): for a request with `Authorization: Bearer METRICS_TOKEN`, or from
# one of METRICS_ALLOWED_IPS; a 404 for anyone else (meldpunt/metrics.py).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = set(env.list("METRICS_ALLOWED_IPS", default=[]))
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters.")
# Static files with a content hash in their names, cached for a year by browsers and proxies
# (WhiteNoise's CompressedManifestStaticFilesStorage). Needs `collectstatic` first, so it is
# on where that runs (`make serve`, the systemd units) and off for `make run` and the tests.
STATIC_HASHED = env_flag("STATIC_HASHED", default=False)

# Backups (`make backup`, `make restore-check`; docs/deploy.md): custom-format pg_dump files
# in BACKUP_DIR; after each dump, those older than BACKUP_RETENTION_DAYS are deleted (the
# newest never). 35 days: every day of the last month can be brought back, e.g. a contact
# erased by mistake and noticed at the monthly figures; older copies would keep erased and
# retention-cleared personal content around for longer than the retention promises.
BACKUP_DIR = env.path("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups"))
BACKUP_RETENTION_DAYS = env.int("BACKUP_RETENTION_DAYS", default=35)
if BACKUP_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("BACKUP_RETENTION_DAYS must be at least 1.")

# Celery reliability (docs/deploy.md). Tasks marked idempotent are acknowledged after they
# ran (acks_late), and given back to the queue when the worker process dies under them.
# Redis gives an unacknowledged task to another worker after CELERY_VISIBILITY_TIMEOUT
# seconds; a longer task is then delivered twice, which the rebuild lock turns into a skip.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
# The rebuild lock is a lease: renewed every third of this by the running rebuild, so it
# expires this long after a crash (reports/services/aggregates.py).
REPORTS_LOCK_LEASE_SECONDS = env.int("REPORTS_LOCK_LEASE_SECONDS", default=60)
if REPORTS_LOCK_LEASE_SECONDS < 3 or CELERY_VISIBILITY_TIMEOUT < 1:
    raise ImproperlyConfigured("REPORTS_LOCK_LEASE_SECONDS >= 3, CELERY_VISIBILITY_TIMEOUT >= 1.")

# --- Computed ---------------------------------------------------------------------------
INSTALLED_APPS = [
    # The admin site behind the second factor (django-otp's OTPAdminSite).
    "meldpunt.accounts.admin_config.MeldpuntAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "django_prometheus",
    "csp",
    "meldpunt",
    "staffing",
    "contacts",
    "reports",
    "meldpunt.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    # First and last: the request latency per view (/metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL byte or an overlong path or query string: a 400 (in the user's language) before
    # any view or query sees it.
    "meldpunt.validation.RejectHostileInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "meldpunt.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the session, the user and messages: may log out with a message.
    "meldpunt.accounts.sessions.SessionLifetimeMiddleware",
    "meldpunt.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "meldpunt.urls"
WSGI_APPLICATION = "meldpunt.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meldpunt.context_processors.roles",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every login before the password is: 5 failures for one user name, or
# from one IP address (two separate counts), block logging in for 15 minutes. The IP is
# REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address they forward.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "meldpunt.accounts.lockout.client_ip"
# The user name as counted, cut to the longest possible user name (no 500 for 256+ characters).
AXES_USERNAME_CALLABLE = "meldpunt.validation.login_username"
# A lockout lasts 15 minutes from the last counted failure; attempts during it do not extend
# it, so the one who is locked out knows when to try again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
OTP_TOTP_ISSUER = "Meldpunt"
# Administrators never see another user's TOTP secret or QR code in the admin: a lost phone
# means deleting the device (README). Also keeps the admin's config views, which look a
# device up without a 404, out of reach.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "nl-be"
# Each language in its own name, so anyone can find theirs in the switch.
LANGUAGES = [("nl-be", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "meldpunt" / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "meldpunt.storage.HashedStaticFilesStorage"
        if STATIC_HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}


CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Without a broker, tasks run in-process: the demo and the tests need no worker.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# One prefetched task per worker process: a long rebuild does not hold others back, and a
# killed process gives back at most the task it ran.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Task states (SUCCESS, FAILURE, SKIPPED of a busy nightly run) kept for a week in Redis.
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL) or None
CELERY_RESULT_EXPIRES = timedelta(days=7)
# Beat's heartbeat (meldpunt/tasks.py, checked by /health/ready); merged by the database
# scheduler into its periodic tasks at start.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "meldpunt.tasks.beat_heartbeat", "schedule": 30.0},
}

SESSION_COOKIE_HTTPONLY = True
# The cookie lives no longer than the absolute session lifetime (meldpunt/accounts/sessions.py).
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_flag("CSRF_COOKIE_SECURE", default=True)
# Preloading is opt-in (above); without it the deploy check's reminder is not a finding.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): scripts and styles only from our own static files,
# so no inline <script>, on*= handler or style="" in any template; htmx's indicator
# <style> is switched off in base.html and lives in meldpunt.css. Bootstrap's CSS draws its
# icons from data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "production": {"()": "django.utils.log.RequireDebugFalse"},
        "redact_secrets": {"()": "meldpunt.observability.RedactSecretsFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        # Failed tasks by mail to ADMINS (none set: no mail), like Django's own handler does
        # for 500s; without POST values or local variables (DEFAULT_EXCEPTION_REPORTER_FILTER).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production"],
        },
    },
    "loggers": {
        "celery.app.trace": {"handlers": ["mail_admins"], "level": "ERROR", "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Automatic planning (staffing/solver, staffing/demand): the roster proposal and the demand.
# Seconds the solver may take for one proposal, and whether it must be reproducible (one
# worker, a fixed seed: the same data give the same roster).
ROSTER_SECONDS = env.int("ROSTER_SECONDS", default=30)
ROSTER_REPRODUCIBLE = env_flag("ROSTER_REPRODUCIBLE", default=False)
ROSTER_SEED = env.int("ROSTER_SEED", default=1712)
# Soft objectives, per hour relative to one hour away from someone's contract.
ROSTER_WEIGHT_UNMET = env.float("ROSTER_WEIGHT_UNMET", default=100.0)
ROSTER_WEIGHT_CONTRACT = env.float("ROSTER_WEIGHT_CONTRACT", default=1.0)
ROSTER_WEIGHT_WISH = env.float("ROSTER_WEIGHT_WISH", default=2.0)
ROSTER_WEIGHT_ISOLATED_DAY = env.float("ROSTER_WEIGHT_ISOLATED_DAY", default=1.0)
ROSTER_WEIGHT_FAIRNESS = env.float("ROSTER_WEIGHT_FAIRNESS", default=3.0)
# Demand: weeks of history behind the forecast; the service level target; handling.
DEMAND_HISTORY_WEEKS = env.int("DEMAND_HISTORY_WEEKS", default=8)
DEMAND_SERVICE_LEVEL = env.float("DEMAND_SERVICE_LEVEL", default=0.8)
DEMAND_ANSWER_SECONDS = env.int("DEMAND_ANSWER_SECONDS", default=20)
DEMAND_MAX_OCCUPANCY = env.float("DEMAND_MAX_OCCUPANCY", default=0.85)
DEMAND_SHRINKAGE = env.float("DEMAND_SHRINKAGE", default=0.3)
DEMAND_CHAT_CONCURRENCY = env.int("DEMAND_CHAT_CONCURRENCY", default=2)
DEMAND_EMAIL_MINUTES = env.int("DEMAND_EMAIL_MINUTES", default=20)
DEMAND_WRAPUP_SECONDS = env.int("DEMAND_WRAPUP_SECONDS", default=60)
if (
    ROSTER_SECONDS < 1
    or DEMAND_HISTORY_WEEKS < 1
    or not 0 < DEMAND_SERVICE_LEVEL < 1
    or not 0 < DEMAND_MAX_OCCUPANCY <= 1
    or not 0 <= DEMAND_SHRINKAGE < 1
    or DEMAND_CHAT_CONCURRENCY < 1
    or min(
        ROSTER_WEIGHT_UNMET,
        ROSTER_WEIGHT_CONTRACT,
        ROSTER_WEIGHT_WISH,
        ROSTER_WEIGHT_ISOLATED_DAY,
        ROSTER_WEIGHT_FAIRNESS,
    )
    < 0
):
    raise ImproperlyConfigured(
        "Planning settings: ROSTER_SECONDS >= 1, weights >= 0, DEMAND_* within their ranges."
    )
# Where staffing reads arrivals (a dotted path to a factory; contacts implements it, so the
# import direction reports → contacts → staffing holds).
DEMAND_ARRIVALS_PROVIDER = env.str(
    "DEMAND_ARRIVALS_PROVIDER", default="contacts.selectors_demand.arrivals_provider"
)
# Contacts: open cases without a contact for this many months are closed by the nightly task
# (reason "inactive"); 0 switches it off.
CASE_AUTO_CLOSE_MONTHS = env.int("CASE_AUTO_CLOSE_MONTHS", default=0)
if CASE_AUTO_CLOSE_MONTHS < 0:
    raise ImproperlyConfigured("CASE_AUTO_CLOSE_MONTHS must not be negative.")
