"""HTTP benchmark: gunicorn (2 workers) serving the shop, wrk driving it from a separate process.

    .venv/bin/python bench/run.py [--engine sqlite|postgres|both] [--orders 1200] [--open 200]
                                  [--duration 5] [--rounds 3] [--connections 8] [--worker-class sync|gthread]
                                  [--threads 4]

The yardstick is a separate bare app (bench/bare.py: `Flask(__name__)` and one route) served by its own gunicorn
with the same settings. Every row is measured in `--rounds` rounds, each round the bare app then every target,
with the bare app once more after the last round; each row shows its best round, and every ratio is against the
best bare figure of the run. On a shared 2-core machine a single run of any server (the bare one included) now
and then drops to half its rate for seconds at a time, so one round decides nothing; the best of several, for
the yardstick as for the targets, shows what each can do. The in-app hello (bench/wsgi.py) is a second line:
the storefront's fixed cost per request. After the rounds, each row is run once more over a single connection:
with 8 connections on 2 workers a p50 is mostly time spent queued (about 8 / rate), and this one shows what the
request itself takes. Needs `wrk` (apt-get install wrk).
BENCH_DB names the PostgreSQL database (default storefront_bench), BENCH_REDIS the Redis database that
counts rate limits (default redis://127.0.0.1:6379/0).
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BUILD = "frame=high-step&motor=mid-500&battery=b625&color=glacier&accessories=rack&accessories=lights"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = os.environ.get("BENCH_DB", "storefront_bench")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(engine: str, orders: int, open_count: int, workdir: Path) -> tuple[str, str]:
    """A fresh database with the demo catalog and `orders` past orders. Returns its URL and a status token."""
    if engine == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        subprocess.run([PY, "scripts/pgdb.py", "create", PG_ADMIN, BENCH_DB], cwd=ROOT, check=True)
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
    env = bench_env(url)
    flask = [PY, "-m", "flask", "--app", "storefront"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    token = (
        subprocess.run(
            [PY, "bench/seed_orders.py", str(orders), "--open", str(open_count)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
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
        "WEB_CONCURRENCY": "2",
        # two workers share their rate-limit counters, as in production (the app refuses memory:// then)
        "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0"),
    }


def start_gunicorn(app: str, probe: str, url: str, port: int, workers: Workers) -> subprocess.Popen:
    """gunicorn serving `app` with the same settings for the shop and the bare yardstick."""
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        "gunicorn.conf.py",  # the production settings, for the shop and the bare app alike
        "-w",
        "2",
        "-k",
        workers.kind,
        "--threads",
        str(workers.threads),
        "-b",
        f"127.0.0.1:{port}",
        app,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=bench_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn did not start: {proc.stderr.read().decode()[-2000:]}")


def wrk(url: str, duration: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    threads = min(2, connections)  # wrk refuses more threads than connections
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
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
        ("in-app hello (the app's fixed cost)", f"{base}/bench/hello", {}),
        ("/healthz", f"{base}/healthz", {}),
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
                found.append(("back-office board (200 open orders)", f"{base}/backoffice/", headers))
    return found


def signed_in_again(base: str, url: str, headers: dict[str, str]) -> dict[str, str]:
    """A row that sends a staff cookie gets a fresh one before each round, as a browser holds it: the shop re-signs
    an unchanged session once its cookie is a minute old (`request_path.REFRESH_AFTER_SECONDS`) and the browser
    keeps the new one, but wrk would send the first cookie for ever and have every request re-signed."""
    if "Cookie" not in headers:
        return headers
    return {**headers, "Cookie": staff_cookie(base, url) or headers["Cookie"]}


def staff_cookie(base: str, url: str) -> str | None:
    """Sign in as a bench staff user (bench/staff_login.py) and return the session cookie."""
    result = subprocess.run(
        [PY, "bench/staff_login.py", base], cwd=ROOT, env=bench_env(url), capture_output=True, text=True
    )
    return result.stdout.strip() or None


@dataclass(frozen=True)
class Workers:
    kind: str  # gunicorn worker class: sync or gthread
    threads: int


def measure(
    target: str, duration: int, connections: int, headers: dict[str, str], server: subprocess.Popen
) -> dict[str, float]:
    """wrk's figures for one row, after a warm-up, and how many of the server's workers were replaced while it
    ran (a recycled worker starts with cold caches: one suspect when a row dips)."""
    wrk(target, 1, connections, headers)  # warm up
    workers = worker_pids(server)
    result = wrk(target, duration, connections, headers)
    return {**result, "restarts": len(workers - worker_pids(server))}


def best(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The round with the highest rate, with the workers replaced over all rounds."""
    top = max(rounds, key=lambda r: r["rps"])
    return {**top, "restarts": sum(r["restarts"] for r in rounds)}


def worker_pids(server: subprocess.Popen) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    return {int(pid) for pid in found}


def row(engine: str, name: str, result: dict[str, float], bare_rps: float, alone: dict[str, float]) -> str:
    return (
        f"| {engine} | {name} | {result['rps']:.0f} | {result['rps'] / bare_rps:.2f} | "
        f"{result['p50']:.2f} | {result['p99']:.2f} | {alone['p50']:.2f} | {result['errors']} | {result['restarts']} |"
    )


def run(engine: str, args: argparse.Namespace) -> list[str]:
    workers = Workers(args.worker_class, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        url, token = prepare_database(engine, args.orders, args.open, Path(tmp))
        shop_port, bare_port = free_port(), free_port()
        shop = start_gunicorn("bench.wsgi:app", "/bench/hello", url, shop_port, workers)
        bare = start_gunicorn("bench.bare:app", "/", url, bare_port, workers)
        try:
            base, bare_url = f"http://127.0.0.1:{shop_port}", f"http://127.0.0.1:{bare_port}/"
            wrk(bare_url, 5, args.connections, {})  # let both servers and the kernel settle first
            found = targets(base, token, url)
            before, results = [], {name: [] for name, _, _ in found}
            for _ in range(args.rounds):
                before.append(measure(bare_url, args.duration, args.connections, {}, bare))
                for name, target, headers in found:
                    headers = signed_in_again(base, url, headers)
                    results[name].append(measure(target, args.duration, args.connections, headers, shop))
            after = measure(bare_url, args.duration, args.connections, {}, bare)
            # over one connection no request waits for another: what the request itself takes
            single = {"bare": measure(bare_url, args.duration, 1, {}, bare)}
            for name, target, headers in found:
                single[name] = measure(target, args.duration, 1, signed_in_again(base, url, headers), shop)
            before_best = best(before)
            bare_rps = max(before_best["rps"], after["rps"])  # the stricter yardstick: a dip is never a gain
            return [
                row(engine, "bare Flask app, before each round", before_best, bare_rps, single["bare"]),
                *(row(engine, name, best(rounds), bare_rps, single[name]) for name, rounds in results.items()),
                row(engine, "bare Flask app, after", after, bare_rps, single["bare"]),
            ]
        finally:
            for server in (shop, bare):
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=10)
            if engine == "postgres":
                subprocess.run([PY, "scripts/pgdb.py", "drop", PG_ADMIN, BENCH_DB], cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--orders", type=int, default=1200)
    parser.add_argument("--open", type=int, default=200, help="orders still open (the rest are delivered)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per row and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per row; each row shows its best")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: sudo apt-get install -y wrk")
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    threads = f" --threads {args.threads}" if args.worker_class == "gthread" else ""
    print(
        f"gunicorn -w 2 -k {args.worker_class}{threads}, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"best of {args.rounds} rounds, {args.orders} past orders, {args.open} open; ratios against the best bare "
        "figure (workers replaced: over all rounds)"
    )
    print(
        "| engine | target | req/s | ratio to bare | p50 ms | p99 ms | p50 ms, one connection | non-2xx/3xx "
        "| workers replaced |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for engine in engines:
        for line in run(engine, args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
