"""Settings shared by every environment. Values that differ per deployment come from
``RECORDROOM_*`` variables through :mod:`recordroom.config`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF

from recordroom.config import env_bool, env_int, env_list, env_str, home, home_dir
from recordroom.settings.database import database_from_env

SRC_DIR = Path(__file__).resolve().parent.parent
RECORDROOM_HOME = home()

DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "axes",
    "csp",
    "recordroom.core",
    "recordroom.audit",
    "recordroom.access",
    "recordroom.accounts",
    "recordroom.patients",
    "recordroom.encounters",
    "recordroom.documents",
    "recordroom.interop",
    "recordroom.coding",
    "recordroom.vault",
    "recordroom.web",
]

MIDDLEWARE = [
    "recordroom.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "recordroom.accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "recordroom.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recordroom.urls"
WSGI_APPLICATION = "recordroom.wsgi.application"
ASGI_APPLICATION = "recordroom.asgi.application"

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
                "recordroom.web.context_processors.shell",
            ],
        },
    }
]

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username or address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "recordroom.accounts.backends.RecordroomBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Passwords: argon2id by default; RECORDROOM_FIPS=true switches to PBKDF2-HMAC-SHA256 (NIST SP 800-132,
# a FIPS 140 approved function; RULES.md 8.2 (d)(12)) at >= 600,000 iterations (OWASP 2023 floor).
RECORDROOM_FIPS = env_bool("FIPS", False)
if RECORDROOM_FIPS:
    PASSWORD_HASHERS = ["recordroom.accounts.hashers.FipsPBKDF2PasswordHasher"]
else:
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "recordroom.accounts.hashers.FipsPBKDF2PasswordHasher",
    ]

# NIST SP 800-63B 3.1.1.2: at least 12 characters here (our policy, above NIST's floor of 8), checked
# against a list of commonly used passwords, no composition rules, no periodic change.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12, minimum=12)},
    },
    {"NAME": "recordroom.accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

# Sessions: server-side, HttpOnly, SameSite=Lax, rotated at sign-in. Idle time-out and absolute lifetime
# are enforced by recordroom.accounts.middleware (HIPAA 164.312(a)(2)(iii); ONC 170.315(d)(5)).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "rr_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
RECORDROOM_IDLE_TIMEOUT = timedelta(minutes=env_int("IDLE_TIMEOUT_MINUTES", 15, minimum=1, maximum=60))
RECORDROOM_IDLE_WARNING = timedelta(seconds=env_int("IDLE_WARNING_SECONDS", 60, minimum=5))
RECORDROOM_SESSION_MAX_AGE = timedelta(hours=env_int("SESSION_MAX_HOURS", 12, minimum=1, maximum=24))
SESSION_COOKIE_AGE = int(RECORDROOM_SESSION_MAX_AGE.total_seconds())
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "recordroom.accounts.views.csrf_failure"

# MFA (HIPAA 164.312(d); ONC 170.315(d)(13)): required for every user unless turned off, and always for
# the roles in RECORDROOM_MFA_ALWAYS_ROLES.
RECORDROOM_MFA_REQUIRED = env_bool("MFA_REQUIRED", True)
RECORDROOM_MFA_ALWAYS_ROLES = ("sysadmin", "privacy_officer")
RECORDROOM_MFA_MAX_FAILURES = 5
RECORDROOM_MFA_PENDING_TTL = timedelta(minutes=5)
RECORDROOM_TOTP_ISSUER = env_str("TOTP_ISSUER", "Recordroom")
OTP_TOTP_ISSUER = RECORDROOM_TOTP_ISSUER
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout (django-axes): 5 failures within 15 minutes lock the account name and, separately, the source
# address for 15 minutes (164.308(a)(5)(ii)(C) log-in monitoring).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURES", 5, minimum=3, maximum=10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOCKOUT_MINUTES", 15, minimum=1))
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "recordroom.accounts.views.locked_out"
AXES_USERNAME_CALLABLE = "recordroom.accounts.backends.axes_username"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password", "token", "csrfmiddlewaretoken"]
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Audit trail: a signed checkpoint every N events and at least once a minute while events flow.
RECORDROOM_AUDIT_CHECKPOINT_EVERY = env_int("AUDIT_CHECKPOINT_EVERY", 1000, minimum=1)
RECORDROOM_AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 60, minimum=1, maximum=3600)
# Every run of a `recordroom` command is recorded here (who, which command, outcome; never its arguments).
RECORDROOM_COMMAND_RECORDER = "recordroom.audit.services.recording.record_command"
# Access policy file (default: src/recordroom/access/policies/default.toml).
RECORDROOM_ACCESS_POLICY = env_str("ACCESS_POLICY", "") or None

# Master patient index: letters (0-6, A-Z) before every new MRN, e.g. "RR" -> RR10000008 for the first patient.
RECORDROOM_MRN_PREFIX = env_str("MRN_PREFIX", "")
# Digits of a new MRN, check digit included (4-18): numbering starts at 10^(length-2), zero-padded.
RECORDROOM_MRN_LENGTH = env_int("MRN_LENGTH", 8, minimum=4, maximum=18)

# API tokens (accounts.tokens): default and longest lifetime.
RECORDROOM_TOKEN_DEFAULT_DAYS = env_int("TOKEN_DEFAULT_DAYS", 90, minimum=1)
RECORDROOM_TOKEN_MAX_DAYS = env_int("TOKEN_MAX_DAYS", 365, minimum=1)

# Upload limits: a form post is small; document uploads get their own limit in the documents app.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Security headers (everywhere; production adds HTTPS-only settings).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = home_dir("static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

LOG_DIR = home_dir("logs")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "recordroom.core.logging.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "recordroom.core.logging.UtcFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
            "level": env_str("CONSOLE_LOG_LEVEL", "WARNING"),
        },
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": str(LOG_DIR / "recordroom.log"),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 10,
            "formatter": "line",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console", "file"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints the request path, which may carry ids; never request bodies.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# ---------------------------------------------------------------- vault (PHI encrypted at rest)
# HIPAA 164.312(a)(2)(iv), 164.308(a)(7); docs/security/encryption.md, docs/operations/keys.md and
# docs/operations/backup-restore.md. The keyring lives outside the database: a 0600 file (generated on
# first use in dev and test only) or RECORDROOM_VAULT_KEYRING / RECORDROOM_VAULT_KEYRING_FILE.
RECORDROOM_VAULT_KEYRING_PATH = Path(env_str("KEYRING_PATH", str(home_dir("keys") / "vault-keyring.json")))
RECORDROOM_VAULT_KEY_PROVIDER = env_str("VAULT_KEY_PROVIDER", "recordroom.vault.keyring.FileKeyring")
RECORDROOM_VAULT_KEY_CACHE_SIZE = env_int("VAULT_KEY_CACHE_SIZE", 50000, minimum=0)
RECORDROOM_VAULT_KEY_CACHE_SECONDS = env_int("VAULT_KEY_CACHE_SECONDS", 300, minimum=0)
RECORDROOM_DOCUMENT_STORE = Path(env_str("DOCUMENT_STORE", str(home_dir("documents"))))
RECORDROOM_BACKUP_DIR = Path(env_str("BACKUP_DIR", str(home_dir("backups"))))
RECORDROOM_BACKUP_SCRYPT_LOG2N = env_int("BACKUP_SCRYPT_LOG2N", 17, minimum=14, maximum=22)
# Integrity checks `backup verify` runs against the restored copy: dotted paths to callables taking no
# arguments and returning (ok, message). The audit app registers its chain verification here.
RECORDROOM_BACKUP_CHECKS: list[str] = ["recordroom.audit.services.verification.backup_check"]
# Background workers `recordroom serve` starts beside the web server (daemon threads), unless
# `--no-workers` or RECORDROOM_SERVE_WORKERS=0 says another process runs them: dotted paths to callables
# taking no arguments that start a worker and return (thread, stop event). Their queues are durable rows.
RECORDROOM_SERVE_WORKERS = env_bool("SERVE_WORKERS", True)
RECORDROOM_BACKGROUND_WORKERS: list[str] = ["recordroom.documents.tasks.start_scan_worker"]
