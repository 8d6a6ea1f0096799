"""Write the compose ``.env`` with fresh random secrets (``make env``).

Never overwrites an existing ``.env`` (its secrets sign tokens and encrypt stored
connections: replacing them would lock out running services and stored credentials);
adds only the variables it lacks.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path


def values() -> dict[str, str]:
    return {
        "AIRFLOW_UID": str(os.getuid()),
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(48),
        "AIRFLOW_API_SECRET_KEY": secrets.token_urlsafe(48),
        # a Fernet key is 32 random bytes, url-safe base64 (cryptography.fernet format)
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(16),
    }


def main(path: str = ".env") -> int:
    env = Path(path)
    present = set()
    if env.exists():
        present = {line.split("=", 1)[0].strip() for line in env.read_text().splitlines()
                   if "=" in line and not line.lstrip().startswith("#")}
    missing = {k: v for k, v in values().items() if k not in present}
    if not missing:
        print(f"{env} already has every variable; nothing changed")
        return 0
    with env.open("a") as fh:
        fh.write("# written by `make env` (scripts/make_env.py): keep it private\n")
        for key, value in missing.items():
            fh.write(f"{key}={value}\n")
    env.chmod(0o600)
    print(f"{env}: added {', '.join(missing)}")
    if "AIRFLOW_ADMIN_PASSWORD" in missing:
        print(f"UI login: airflow / {missing['AIRFLOW_ADMIN_PASSWORD']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
