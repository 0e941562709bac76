"""The shop as the README deploys it: gunicorn processes on loopback, and nginx in front terminating TLS.

Started once per test run (session fixtures) on free ports, against the tests' database and Redis database.
nginx runs deploy/nginx.conf itself, with only its ports and paths replaced.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, context: ssl.SSLContext | None = None, process=None, log: Path | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url} exited at start: {log.read_text() if log else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up: {log.read_text() if log else ''}")


@dataclass
class Host:
    """One app host: a gunicorn process on a loopback port."""

    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_host(database_url: str, workdir: Path, name: str, *, workers: int, trusted_proxies: int, **env) -> Host:
    """gunicorn with the production settings (gunicorn.conf.py), as the README's recipe starts it."""
    port = free_port()
    log = workdir / f"{name}.log"
    environment = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "STRIPE_SECRET_KEY")}
    environment.update(
        DATABASE_URL=database_url,
        SECRET_KEY="deploy-test-secret-key-0123456789abcdef",
        TEST_PAYMENTS="1",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        WEB_CONCURRENCY=str(workers),
        TRUSTED_PROXIES=str(trusted_proxies),
        BIND=f"127.0.0.1:{port}",
        **env,
    )
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "storefront.wsgi:app"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    host = Host(f"http://127.0.0.1:{port}", port, process, log)
    try:
        wait_until_up(f"{host.url}/healthz", process=process, log=log)
    except Exception:
        host.stop()
        raise
    return host


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def render_site(upstream_port: int, https_port: int, http_port: int, cert: Path, key: Path, logs: Path) -> str:
    """deploy/nginx.conf with the test's ports and paths in place of the operator's."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for shipped, here in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("/etc/ssl/storefront/fullchain.pem", str(cert)),
        ("/etc/ssl/storefront/privkey.pem", str(key)),
        ("/var/log/nginx/storefront.access.log", str(logs / "access.log")),
        ("/srv/storefront/static/", f"{ROOT / 'static'}/"),
    ]:
        assert shipped in site, f"deploy/nginx.conf no longer contains {shipped!r}"
        site = site.replace(shipped, here)
    return site


@dataclass
class Proxy:
    url: str
    http_url: str
    port: int
    access_log: Path
    process: subprocess.Popen


def start_nginx(upstream: Host, workdir: Path) -> Proxy:
    """nginx in the foreground with its own prefix, pid file and temp directories."""
    prefix = workdir / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    cert, key = make_certificate(prefix)
    https_port, http_port = free_port(), free_port()
    (prefix / "storefront.conf").write_text(render_site(upstream.port, https_port, http_port, cert, key, prefix))
    user = "user root;" if os.geteuid() == 0 else ""  # workers read the checkout's static files
    (prefix / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    include {prefix}/storefront.conf;
}}
"""
    )
    command = [
        NGINX,
        "-p",
        str(prefix),
        "-c",
        str(prefix / "nginx.conf"),
        "-e",
        str(prefix / "error.log"),
        "-g",
        "daemon off;",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    proxy = Proxy(
        f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", https_port, prefix / "access.log", process
    )
    wait_until_up(f"{proxy.url}/healthz", context=insecure_tls(), process=process, log=prefix / "error.log")
    return proxy


def insecure_tls() -> ssl.SSLContext:
    """The test certificate is self-signed: encrypt, but do not verify it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Browser:
    """A cookie-keeping HTTP client for one host (https through the proxy, or plain http to host B). It follows
    no redirect, so a test sees where it is sent."""

    def __init__(self, base: str) -> None:
        self.base = base
        handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()]
        if base.startswith("https"):
            handlers.append(urllib.request.HTTPSHandler(context=insecure_tls()))
        self.opener = urllib.request.build_opener(*handlers)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(f"{self.base}{path}"))

    def post(self, path: str, fields: dict[str, str]) -> int:
        """Post a form from its own page (over https, Flask-WTF wants a same-origin Referer)."""
        request = urllib.request.Request(f"{self.base}{path}", urllib.parse.urlencode(fields).encode())
        request.add_header("Referer", f"{self.base}{path}")
        return self._open(request)[0]

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="session")
def deployment(app, database_url, tmp_path_factory):
    """Host A (2 workers, TRUSTED_PROXIES=1) behind nginx over https. Yields (proxy, host A)."""
    workdir = tmp_path_factory.mktemp("deploy")
    host = start_host(database_url, workdir, "host-a", workers=2, trusted_proxies=1)
    try:
        proxy = start_nginx(host, workdir)
    except Exception:
        host.stop()
        raise
    yield proxy, host
    proxy.process.terminate()
    proxy.process.wait(timeout=20)
    host.stop()


@pytest.fixture(scope="session")
def second_host(app, database_url, tmp_path_factory):
    """Host B: another app process on the same database and Redis, reached directly over loopback http."""
    host = start_host(
        database_url,
        tmp_path_factory.mktemp("host-b"),
        "host-b",
        workers=1,
        trusted_proxies=0,
        SESSION_COOKIE_SECURE="0",
    )
    yield host
    host.stop()
