"""Settings fail loudly in production when a secret is missing or weak, and production
settings pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# What the environment of the test run sets and a production environment would not.
_CLEARED = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CALLER_HASH_KEY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests; refused by the deploy check
}
STRONG_KEY = "p7Rk2-vQ9xLm_3sT8wZc1nB6hJ4yF0aD5gK-eU2iO9rW7tY3uX8qM1lN6bV4cZ0"
PRODUCTION = {
    "DEBUG": "off",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "meldpunt.example.org",
    "CALLER_HASH_KEY": "another-long-random-string-for-the-caller-pseudonyms",
}


def _run(args: list[str], **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "meldpunt.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _django_setup(**env_overrides) -> subprocess.CompletedProcess:
    return _run(["-c", "import django; django.setup()"], **env_overrides)


def _deploy_check(**env_overrides) -> subprocess.CompletedProcess:
    return _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **{**PRODUCTION, **env_overrides},
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "off", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY is not set"),
        (
            {"DEBUG": "off", "SECRET_KEY": STRONG_KEY, "CALLER_HASH_KEY": "y"},
            "ALLOWED_HOSTS is not set",
        ),
        (
            {"DEBUG": "off", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "example.org"},
            "CALLER_HASH_KEY is not set",
        ),
        ({"DEBUG": "maybe", "SECRET_KEY": STRONG_KEY}, "DEBUG"),
        ({**PRODUCTION, "SECRET_KEY": "short-but-varied-key-0123456789"}, "SECRET_KEY is too weak"),
        ({**PRODUCTION, "SECRET_KEY": "ab" * 40}, "SECRET_KEY is too weak"),
        (
            {
                **PRODUCTION,
                "SECRET_KEY": "change-me-to-a-long-random-string-of-at-least-50-characters",
            },
            "SECRET_KEY is too weak",
        ),
        ({**PRODUCTION, "SECURE_SSL_REDIRECT": "perhaps"}, "SECURE_SSL_REDIRECT"),
        ({**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "https"}, "SECURE_PROXY_SSL_HEADER"),
    ],
)
def test_production_settings_refuse_to_start_without_secrets(env, message):
    result = _django_setup(**env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "key", ["abcd" * 13, "abcde" * 10, "abcde" * 9 + "abcd", "django-insecure-" + STRONG_KEY]
)
def test_the_key_check_is_djangos_own(key):
    """Refused exactly when Django's deploy check (security.W009) would warn."""
    from django.core.checks.security.base import _check_secret_key

    result = _django_setup(**{**PRODUCTION, "SECRET_KEY": key})
    assert (result.returncode == 0) == _check_secret_key(key), result.stderr


def test_settings_start_with_secrets():
    result = _django_setup(**PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_a_weak_key_is_accepted_only_with_debug_on():
    result = _django_setup(DEBUG="on", SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _deploy_check()
    assert result.returncode == 0, result.stderr + result.stdout


def test_deploy_check_passes_behind_a_proxy_with_preload():
    result = _deploy_check(
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https", SECURE_HSTS_PRELOAD="on"
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("env", "finding"),
    [
        ({"SECRET_KEY": "x" * 60}, "SECRET_KEY is too weak"),
        ({"SECURE_SSL_REDIRECT": "off"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SESSION_COOKIE_SECURE": "off"}, "security.W012"),
    ],
)
def test_deploy_check_fails_on_weak_production_settings(env, finding):
    result = _deploy_check(**env)
    assert result.returncode != 0
    assert finding in result.stderr + result.stdout


def test_production_sends_security_headers(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"), secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    response = client.get(response["Location"], secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
