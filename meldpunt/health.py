"""Health endpoints for the proxy and the monitoring, without login.

`/health/live`: the process answers (for a load balancer: take a web server out when it
stops answering). `/health/ready`: every dependency, each check named, 503 when one fails
(for the monitoring). They show check names and "ok"/"fail" only: no versions, hosts, counts
or error texts, which would help an attacker more than an operator (the logs have those).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Heartbeat

logger = logging.getLogger(__name__)

# A nightly aggregation older than this means last night's run did not finish.
AGGREGATION_MAX_AGE = timedelta(hours=26)
# Beat queues the heartbeat every 30 s; a few missed ones mean beat or the workers are down.
HEARTBEAT_MAX_AGE = timedelta(minutes=5)


def check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


_migrations_applied = False


def check_migrations() -> bool:
    """Every migration of this code is applied. Once true it stays true for the process (new
    migrations come with new code, i.e. a restart), so the graph is read from disk once."""
    global _migrations_applied  # noqa: PLW0603 - a per-process cache of a one-way fact
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        _migrations_applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_applied


def check_broker() -> bool:
    """The Celery broker answers. Without one (the demo), tasks run in-process: nothing to
    check."""
    if not settings.CELERY_BROKER_URL:
        return True
    from meldpunt.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return True


# When the last nightly aggregation finished (None: never). The reports app registers it in
# its AppConfig.ready(): meldpunt knows no app (DESIGN.md's import direction).
_last_aggregation = None


def last_aggregation_register(provider) -> None:
    """`provider()` returns the end of the last successful nightly aggregation, or None."""
    global _last_aggregation
    _last_aggregation = provider


def last_aggregation_finished_at():
    return _last_aggregation() if _last_aggregation is not None else None


def check_aggregation() -> bool:
    finished_at = last_aggregation_finished_at()
    return finished_at is not None and timezone.now() - finished_at < AGGREGATION_MAX_AGE


def check_beat() -> bool:
    beat = Heartbeat.objects.filter(name="beat").first()
    return beat is not None and timezone.now() - beat.at < HEARTBEAT_MAX_AGE


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "aggregation": check_aggregation,
    "beat": check_beat,
}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "fail"
        except Exception:  # noqa: BLE001 - any error is a failed check; logged, not shown
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = "fail"
        if name == "database" and results[name] == "fail":
            # Without a database the other checks only repeat the failure, slowly.
            results.update(dict.fromkeys(("migrations", "aggregation", "beat"), "fail"))
            break
    return results


@login_not_required
@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request):
    checks = run_checks()
    healthy = all(result == "ok" for result in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
    if not healthy:
        # A 503 here is the monitoring's business (the failed checks are logged as warnings
        # above), not an error mail to ADMINS every time the monitoring asks.
        logger.warning("Not ready: %s", ", ".join(n for n, r in checks.items() if r != "ok"))
        response._has_been_logged = True
    return response
