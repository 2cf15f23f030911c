"""Settings fail loudly in production when a secret is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _django_setup(**env_overrides) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "CALLER_HASH_KEY"}
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "meldpunt.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "off", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY is not set"),
        (
            {"DEBUG": "off", "SECRET_KEY": "x" * 50, "CALLER_HASH_KEY": "y"},
            "ALLOWED_HOSTS is not set",
        ),
        (
            {"DEBUG": "off", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"},
            "CALLER_HASH_KEY is not set",
        ),
        ({"DEBUG": "maybe", "SECRET_KEY": "x" * 50}, "DEBUG"),
    ],
)
def test_production_settings_refuse_to_start_without_secrets(env, message):
    result = _django_setup(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_settings_start_with_secrets():
    result = _django_setup(
        DEBUG="off", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org", CALLER_HASH_KEY="y" * 50
    )
    assert result.returncode == 0, result.stderr
