"""HTTP benchmark: gunicorn (2 workers) serving the shop, wrk driving it from a separate process.

    .venv/bin/python bench/run.py [--engine sqlite|postgres|both] [--orders 5000] [--duration 10] [--connections 8]

Each figure is reported beside a bare "hello" Flask route served by the same gunicorn in the same run, so
the ratios hold from machine to machine. Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BUILD = "frame=high-step&motor=mid-500&battery=b625&color=glacier&accessories=rack&accessories=lights"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(engine: str, orders: int, workdir: Path) -> tuple[str, str]:
    """A fresh database with the demo catalog and `orders` past orders. Returns its URL and a status token."""
    if engine == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        subprocess.run([PY, "scripts/pgdb.py", "create", PG_ADMIN, "storefront_bench"], cwd=ROOT, check=True)
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/storefront_bench"
    env = bench_env(url)
    flask = [PY, "-m", "flask", "--app", "storefront"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    token = (
        subprocess.run(
            [PY, "bench/seed_orders.py", str(orders)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    return url, token


def bench_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only-secret",
        "FLASK_DEBUG": "0",
        "SESSION_COOKIE_SECURE": "0",  # the bench talks plain http on loopback
        "TEST_PAYMENTS": "1",  # a production-mode app with no Stripe key refuses to start otherwise
        "PYTHONPATH": str(ROOT),
    }


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "bench.wsgi:app",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")


def wrk(url: str, duration: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": to_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def targets(base: str, token: str, url: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, url, headers) for every page that exists in this build of the shop."""
    found = [
        ("bare hello route", f"{base}/bench/hello", {}),
        ("configurator page", f"{base}/configure?{BUILD}", {}),
        ("summary fragment (htmx)", f"{base}/configure/summary?{BUILD}", {"HX-Request": "true"}),
        ("/api/quote", f"{base}/api/quote?{BUILD}", {}),
    ]
    status = f"{base}/orders/{token}"
    progress = f"{base}/orders/{token}/progress"
    try:
        request = urllib.request.Request(progress, headers={"HX-Request": "true"})
        with urllib.request.urlopen(request, timeout=5) as response:
            etag = response.headers.get("ETag", "").strip('"')
        found.append(("status page", status, {}))
        if etag:
            found.append(("304 status poll", progress, {"If-None-Match": f'"{etag}"', "HX-Request": "true"}))
    except OSError:
        pass
    cookie = staff_cookie(base, url)
    if cookie:
        headers = {"Cookie": cookie, "User-Agent": "storefront-bench"}
        request = urllib.request.Request(f"{base}/backoffice/", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            if response.url.endswith("/backoffice/"):  # not bounced to the sign-in page
                found.append(("back-office board", f"{base}/backoffice/", headers))
    return found


def staff_cookie(base: str, url: str) -> str | None:
    """Sign in as a bench staff user (bench/staff_login.py) and return the session cookie."""
    result = subprocess.run(
        [PY, "bench/staff_login.py", base], cwd=ROOT, env=bench_env(url), capture_output=True, text=True
    )
    return result.stdout.strip() or None


def run(engine: str, orders: int, duration: int, connections: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        url, token = prepare_database(engine, orders, Path(tmp))
        port = free_port()
        server = start_gunicorn(url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            rows, bare = [], None
            wrk(f"{base}/bench/hello", 5, connections, {})  # let both workers and the kernel settle first
            for name, target, headers in targets(base, token, url):
                wrk(target, 2, connections, headers)  # warm up
                result = wrk(target, duration, connections, headers)
                bare = bare or result
                rows.append(
                    f"| {engine} | {name} | {result['rps']:.0f} | {result['rps'] / bare['rps']:.2f} | "
                    f"{result['p50']:.2f} | {result['p99']:.2f} | {result['errors']} |"
                )
            return rows
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
            if engine == "postgres":
                subprocess.run([PY, "scripts/pgdb.py", "drop", PG_ADMIN, "storefront_bench"], cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: sudo apt-get install -y wrk")
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    print(f"gunicorn -w 2, wrk -t2 -c{args.connections} -d{args.duration}s, {args.orders} past orders")
    print("| engine | target | req/s | ratio to bare | p50 ms | p99 ms | non-2xx/3xx |")
    print("|---|---|---|---|---|---|---|")
    for engine in engines:
        for row in run(engine, args.orders, args.duration, args.connections):
            print(row, flush=True)


if __name__ == "__main__":
    main()
