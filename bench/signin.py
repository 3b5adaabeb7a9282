"""Sign-in cost: how long the password hash and a whole password + TOTP sign-in take on this machine.

    .venv/bin/python bench/signin.py [--rounds N] [--json OUT] [--baseline FILE]

Runs against a throw-away SQLite database under a temporary RECORDROOM_HOME with the production
password hashers (argon2id, or PBKDF2-SHA256 600k with RECORDROOM_FIPS=true). Prints the median and
p95 of each figure; with --baseline it prints the change against a saved --json result.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ["RECORDROOM_HOME"] = tempfile.mkdtemp(prefix="recordroom-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordroom.settings.dev")


from report import report  # noqa: E402  (a script's own folder is on sys.path)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    import django

    django.setup()
    import pyotp
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from recordroom.accounts.otp import base32_secret
    from recordroom.accounts.roles import Role
    from recordroom.accounts.services import begin_totp_enrollment, create_user

    call_command("migrate", verbosity=0)
    password = "correct horse battery staple 42"
    encoded = make_password(password)
    hash_times = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        check_password(password, encoded)
        hash_times.append((time.perf_counter() - start) * 1000)

    flow_times = []
    with override_settings(AXES_ENABLED=True, ALLOWED_HOSTS=["testserver"]):
        for n in range(args.rounds):
            user = create_user(
                username=f"bench{n:04d}",
                display_name="Bench",
                roles=[Role.CODER],
                password=password,
                actor=None,
            )
            device = begin_totp_enrollment(user)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            code = pyotp.TOTP(base32_secret(device.bin_key)).now()
            client = Client(REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}")
            start = time.perf_counter()
            first = client.post("/accounts/login/", {"username": user.username, "password": password})
            second = client.post("/accounts/login/verify/", {"code": code})
            flow_times.append((time.perf_counter() - start) * 1000)
            if first.status_code != 302 or second.get("Location") != "/":
                print(f"sign-in {n} failed: {first.status_code} {second.status_code}", file=sys.stderr)
                return 1

    figures = {
        "hasher": encoded.split("$", 1)[0],
        "rounds": args.rounds,
        "password_check_ms_median": round(statistics.median(hash_times), 1),
        "password_check_ms_p95": round(percentile(hash_times, 0.95), 1),
        "signin_ms_median": round(statistics.median(flow_times), 1),
        "signin_ms_p95": round(percentile(flow_times, 0.95), 1),
        "signins_per_second_per_core": round(1000 / statistics.median(flow_times), 1),
    }
    report(figures, json_out=args.json, baseline=args.baseline, width=32)
    return 0


if __name__ == "__main__":
    sys.exit(main())
