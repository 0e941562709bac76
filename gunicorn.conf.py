"""Production gunicorn settings; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
accesslog = "-"
access_log_format = '{"ts":"%(t)s","request_id":"%({x-request-id}o)s","method":"%(m)s","path":"%(U)s",' \
    '"status":%(s)s,"bytes":%(B)s,"ms":%(M)s}'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
