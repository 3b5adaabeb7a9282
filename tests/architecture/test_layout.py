"""STYLE R1: apps are the ones DESIGN.md names, and each uses only the agreed module names."""

from __future__ import annotations

import re
from pathlib import Path

import recordroom

PACKAGE = Path(recordroom.__file__).parent
DESIGN_APPS = {
    "accounts",
    "access",
    "audit",
    "vault",
    "patients",
    "encounters",
    "documents",
    "completion",
    "coding",
    "claims",
    "disclosures",
    "privacy",
    "deid",
    "registry",
    "reports",
    "interop",
    "retention",
}
SHARED = {"core", "web", "settings"}
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "config.py", "urls.py", "api.py", "wsgi.py", "asgi.py"}
APP_MODULES = {
    "__init__.py",
    "apps.py",
    "models.py",
    "services",
    "services.py",
    "selectors.py",
    "permissions.py",
    "audit_events.py",
    "errors.py",
    "schemas.py",
    "api.py",
    "views.py",
    "urls.py",
    "forms.py",
    "templates",
    "static",
    "tasks.py",
    "management",
    "migrations",
    "tests",
    "__pycache__",
}
# Topic modules an app may add beside the standard ones (STYLE R9); each listed with its reason.
APP_EXTRA_MODULES = {
    "accounts": {
        "roles.py",
        "usernames.py",
        "hashers.py",
        "validators.py",
        "otp.py",
        "security_events.py",
        "backends.py",
        "middleware.py",
        "auth.py",
    },
    "core": {"clock.py", "checks.py", "middleware.py", "requests.py", "logging.py", "vocabulary.py"},
    "web": {"navigation.py", "context_processors.py"},
    # mrn: the MRN format and its Luhn check digit (ISO/IEC 7812-1 Annex B); linkage: the registry of
    # patient-linked models that other apps declare, so a merge can move their rows; codes: the demographic
    # and identifier code sets (gender identity, OMB race/ethnicity, BCP 47 languages, HL7 table 0203).
    "patients": {"mrn.py", "linkage.py", "codes.py"},
    # codes: the UB-04 code tables (NUBC FL14, FL15, FL17) and the other encounter code sets.
    "encounters": {"codes.py"},
    # fhir: reading and mapping FHIR R4 bundles/NDJSON (database-free, shared by the import and the FHIR API);
    # synthdata: the synthetic hospital's name lists, code sample, note templates and planning (no database).
    "interop": {"fhir", "synthdata"},
    # roles: the role vocabulary; policy + policies/: the policy file and its loader; decisions: authorize().
    "access": {"roles.py", "policy.py", "policies", "decisions.py"},
    # chain: canonical form and hashing; signing: checkpoint key; registry: event types; exports: CSV/FHIR/syslog;
    # checks: the production signing-key system check.
    "audit": {"chain.py", "signing.py", "registry.py", "exports.py", "checks.py"},
    # envelope: AES-256-GCM formats; keyring: key-encryption keys; fields: encrypted model fields;
    # blind_index: HMAC lookups; blobs: encrypted document store; backup: archive format; tls: HTTPS;
    # checks: the production keyring system check.
    "vault": {
        "envelope.py",
        "keyring.py",
        "fields.py",
        "blind_index.py",
        "blobs.py",
        "backup.py",
        "tls.py",
        "checks.py",
    },
}


def test_only_known_top_level_packages_and_modules():
    for entry in PACKAGE.iterdir():
        if entry.name == "__pycache__":
            continue
        if entry.is_dir():
            assert entry.name in DESIGN_APPS | SHARED, f"unknown app {entry.name}"
        else:
            assert entry.name in TOP_LEVEL_MODULES, f"unexpected module {entry.name}"


def test_apps_use_only_agreed_module_names():
    for app in PACKAGE.iterdir():
        if not app.is_dir() or app.name in {"settings", "__pycache__"}:
            continue
        allowed = APP_MODULES | APP_EXTRA_MODULES.get(app.name, set())
        for entry in app.iterdir():
            assert entry.name in allowed, f"{app.name}/{entry.name} is not an agreed module name (STYLE R1)"


def test_no_django_signal_receivers_in_our_code():
    """STYLE R6: no signals for domain behaviour."""
    signal_use = re.compile(
        r"\b(post_save|pre_save|post_delete|pre_delete|m2m_changed|user_logged_in|user_logged_out|"
        r"user_login_failed|request_started|request_finished|[a-z_]*signal[a-z_]*)\.connect\("
    )
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert not signal_use.search(text), source
        assert "@receiver" not in text, source
