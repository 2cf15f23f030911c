"""gunicorn, the production web server (`make serve`; deploy/meldpunt-web.service).

Sized for a machine of 2 cores: 3 worker processes (one more than the cores, so a worker
blocked on the database does not idle a core) of 4 threads each: 12 requests at once, which
is far more than a helpline's responders send (a registration is one POST a minute per
person) while a slow report download never makes the intake wait. WEB_CONCURRENCY and
WEB_THREADS override it on bigger machines.
"""

import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8101")
wsgi_app = "meldpunt.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# The slowest legitimate request is the PDF of a year's figures for the whole line (a few
# seconds; WeasyPrint) or an export of a year's contacts as CSV (~10 s at 100k contacts):
# 60 s leaves room for a loaded machine and still frees a stuck worker within a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On restart (deploys), running requests get this long to finish.
graceful_timeout = 30
# Behind a reverse proxy that keeps connections open.
keepalive = 5
# A worker is replaced after this many requests (jittered), so slow leaks never add up.
max_requests = 2000
max_requests_jitter = 200
# No control socket (gunicorn 24+): its default path is per user, so two servers on one
# machine would share it; systemd's signals do what it offers (reload, stop).
control_socket_disable = True
# The reverse proxy's address, whose X-Forwarded-* headers gunicorn believes (deploy/).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log to stdout (journald) WITHOUT the query string, which can hold a search for a
# caller's details (?q=...); %(U)s is the path alone. The secret of an iCal feed URL is
# replaced too (see AccessLogger). The client address is the proxy's X-Forwarded-For.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

_ICAL_TOKEN = re.compile(r"(/calendar/)[^/]+(\.ics)$")


class AccessLogger(Logger):
    """gunicorn's logger, with the iCal feed's secret token left out of the path."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _ICAL_TOKEN.sub(r"\1***\2", atoms["U"])
        return atoms


logger_class = AccessLogger


def child_exit(server, worker):
    """Prometheus multiprocess mode: a dead worker's gauges leave the metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
