"""Development and demo: a checkout that works with no configuration.

The secret key is generated once into ``RECORDROOM_HOME/keys`` (never a literal in the code), cookies
are not HTTPS-only because the demo serves plain http on 127.0.0.1. DEBUG stays off unless
``RECORDROOM_DEBUG=true``, so the demo behaves like production (no stack traces).
"""

from recordroom.config import env_bool, local_secret
from recordroom.settings.base import *

RECORDROOM_ENV = "dev"
SECRET_KEY = local_secret("django_secret_key")
DEBUG = env_bool("DEBUG", False)
