"""Production: every secret from the environment (or ``*_FILE``), HTTPS-only cookies, HSTS.

``recordroom.core.checks`` refuses to start with a missing secret, DEBUG on, or an insecure cookie or
HSTS setting (HIPAA 164.312(e)(1) transmission security).
"""

from recordroom.config import env_bool, env_int, env_list, get_secret
from recordroom.settings.base import *

RECORDROOM_ENV = "production"
SECRET_KEY = get_secret("SECRET_KEY") or ""
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_NAME = "__Host-rr_session" if SESSION_COOKIE_SECURE else "rr_session"
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 63072000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = False
