"""Who logs in during the load test, and how (no Django here: locust imports this)."""

import base64
import hashlib

PASSWORD = "load-test-only-password-1712"  # noqa: S105 - a scratch database's users
RESPONDERS = 20
COORDINATORS = 2
CODES_PER_USER = 20


def recovery_code(username: str, n: int) -> str:
    """The n-th recovery code of a load user: 8 base32 characters, like the real ones."""
    digest = hashlib.sha256(f"{username}:{n}".encode()).digest()
    return base64.b32encode(digest[:5]).decode().lower()


def usernames() -> dict[str, list[str]]:
    """Per role (the group names of meldpunt.roles.Role) the load users' names."""
    return {
        "responder": [f"load-responder-{n:02d}" for n in range(RESPONDERS)],
        "coordinator": [f"load-coordinator-{n:02d}" for n in range(COORDINATORS)],
    }
