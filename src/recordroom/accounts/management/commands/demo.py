"""``recordroom demo [--port N]``: migrate, create one demo user per role, print their sign-in details
once, and serve on http://127.0.0.1:8000. Demo only: never run it on a server with real records."""

from __future__ import annotations

import io
import json
import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from recordroom.accounts.models import User
from recordroom.accounts.otp import base32_secret
from recordroom.accounts.roles import Role
from recordroom.accounts.services import begin_totp_enrollment, create_user, reset_mfa, set_password
from recordroom.core.management.base import RecordroomCommand

DEMO_PREFIX = "demo."
DEMO_PATIENTS = 300
DEMO_SEED = 2026
DEMO_DOCUMENTS = 60
TOTP_HINT = """  .venv/bin/python -c 'import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).now())' KEY"""


def demo_username(role: Role) -> str:
    return DEMO_PREFIX + role.value.replace("_", "-")


@transaction.atomic
def ensure_demo_user(role: Role) -> tuple[User, str, str]:
    """Create (or reset) the demo user for ``role``: returns the user, a new password and TOTP key."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    username = demo_username(role)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(
            username=username, display_name=f"Demo {role.label}", roles=[role], password=password, actor=None
        )
    else:
        set_password(user=user, new_password=password, actor=None)
        reset_mfa(user=user, actor=None)
    device = begin_totp_enrollment(user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return user, password, base32_secret(device.bin_key)


def load_demo_hospital(patients: int) -> dict[str, Any]:
    """A small synthetic hospital (``recordroom synth``, interop app) once per database, as the demo
    sysadmin; accounts may not import interop (layers), so it goes through the command. Returns its counts
    ({} when there already is one or ``patients`` is 0)."""
    if patients <= 0:
        return {}
    out = io.StringIO()
    try:
        call_command("synth", patients=patients, seed=DEMO_SEED, documents=DEMO_DOCUMENTS, json=True,
                     actor=demo_username(Role.SYSADMIN), stdout=out)  # fmt: skip
    except (CommandError, SystemExit):  # --json failures exit(1) after printing {"ok": false, ...}
        return {}  # already synthesized (a second demo run): keep the hospital it has
    counts: dict[str, Any] = json.loads(out.getvalue()).get("counts", {})
    return counts


def load_demo_code_sets() -> list[dict[str, Any]]:
    """The ICD-10-CM/PCS code sets for coders' code search (``recordroom coding load``, coding app; through
    the command for the same layering reason); loading an unchanged release again is a no-op."""
    out = io.StringIO()
    call_command("coding", "load", json=True, stdout=out)
    loaded: list[dict[str, Any]] = json.loads(out.getvalue()).get("code_sets", [])
    return loaded


class Command(RecordroomCommand):
    help = "Set up demo users (one per role) and serve Recordroom on http://127.0.0.1:8000."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="set up and print, but do not serve")
        parser.add_argument(
            "--demo-patients", type=int, default=DEMO_PATIENTS, help="size of the synthetic hospital (0: none)"
        )
        parser.add_argument("--no-code-sets", action="store_true", help="do not load the ICD-10 code sets")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        call_command("migrate", interactive=False, verbosity=0)
        rows = [ensure_demo_user(role) for role in Role]
        hospital = load_demo_hospital(options.get("demo_patients", DEMO_PATIENTS))
        code_sets = [] if options.get("no_code_sets") else load_demo_code_sets()
        if self.as_json:
            return {
                "hospital": hospital,
                "code_sets": code_sets,
                "url": f"http://{options['host']}:{options['port']}/",
                "users": [
                    {
                        "username": u.username,
                        "role": next(iter(u.role_set())).value,
                        "password": p,
                        "totp_secret": s,
                    }
                    for u, p, s in rows
                ],
            }
        line = "=" * 78
        self.stdout.write(line)
        self.stdout.write("DEMO ONLY - synthetic accounts. These passwords and keys are shown once.")
        self.stdout.write("Add a TOTP key to an authenticator app, or print the current code with:")
        self.stdout.write(TOTP_HINT)
        self.stdout.write(line)
        self.stdout.write(f"{'username':<28} {'password':<28} TOTP key (base32)")
        for user, password, secret in rows:
            self.stdout.write(f"{user.username:<28} {password:<28} {secret}")
        self.stdout.write(line)
        if hospital:
            self.stdout.write(
                f"Synthetic hospital: {hospital.get('patients', 0)} patients, "
                f"{hospital.get('encounters', 0)} encounters, {hospital.get('documents', 0)} documents."
            )
        for code_set in code_sets:
            self.stdout.write(
                f"Code set {code_set.get('system')} {code_set.get('version')}: {code_set.get('codes')} codes."
            )
        if options["no_serve"]:
            return {}
        call_command("serve", host=options["host"], port=options["port"], no_migrate=True)
        return {}
