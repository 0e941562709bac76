"""Production gunicorn settings; every value can be overridden from the environment.

Behind the reverse proxy (deploy/nginx.conf) set TRUSTED_PROXIES=1: gunicorn then listens on loopback only and
believes X-Forwarded-* from the proxy's address. With TRUSTED_PROXIES=0 it believes no forwarded header at all.
"""

import multiprocessing
import os

trusted_proxies = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)
bind = os.environ.get("BIND", "127.0.0.1:8000" if trusted_proxies else "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
os.environ["WEB_CONCURRENCY"] = str(workers)  # the app checks its rate-limit store against the worker count
# gthread keeps connections alive and overlaps database waits: in bench/run.py it served the in-app hello at
# 0.77-0.79 of a bare Flask app against 0.40-0.58 for sync workers, and the board at 0.12-0.14 against 0.10.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, as a guard against slow leaks. Not too often: a new worker starts with cold caches,
# and at 5,000 a busy worker restarted every few seconds (1-second stalls at p99 in bench/run.py).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Load the app once in the master and fork workers from it: a recycled worker is then ready in milliseconds instead
# of importing and building the app again (0.6 s, during which its queued requests waited: bench/run.py's
# 600-800 ms p99 rows with "workers replaced"). Code changes need a restart (or USR2), not HUP. Pooled connections
# the master opened are never used by a worker (storefront/connections.py).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"

accesslog = "-"
logger_class = "storefront.logs.AccessLogger"  # masks status tokens in logged paths
access_log_format = '{"ts":"%(t)s","request_id":"%({x-request-id}o)s","method":"%(m)s","path":"%(U)s",' \
    '"status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if trusted_proxies else ""
