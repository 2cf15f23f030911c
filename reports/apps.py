from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from meldpunt.health import last_aggregation_register

        from . import signals  # noqa: F401  (connects the bookkeeping receivers)

        last_aggregation_register(_last_aggregation_finished_at)


def _last_aggregation_finished_at():
    """When the last successful nightly run ("changed" days) finished: for /health/ready and
    the metrics."""
    from .services.aggregates import last_successful_run

    run = last_successful_run("changed")
    return run.finished_at if run is not None else None
