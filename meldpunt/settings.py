"""Settings for Meldpunt.

Configured values come from the environment (or a `.env` file) and fail loudly when a
production value is missing or malformed; computed values follow below them.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
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
# A rebuild's lock older than this is taken to belong to a killed worker and may be taken over.
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
# The same bar as Django's deploy check (security.W009), but refused, not just warned about;
# and not the placeholder of .env.example.
if not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith(("django-insecure-", "change-me"))
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
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
# A lockout lasts 15 minutes from the last counted failure; attempts during it do not extend
# it, so the one who is locked out knows when to try again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
OTP_TOTP_ISSUER = "Meldpunt"

LANGUAGE_CODE = "nl-be"
# Each language in its own name, so anyone can find theirs in the switch.
LANGUAGES = [("nl-be", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "meldpunt" / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Without a broker, tasks run in-process: the demo and the tests need no worker.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
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
