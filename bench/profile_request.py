"""Profile warm requests with cProfile: `python bench/profile_request.py [PATH] [--n 2000] [--header K:V]`.

Serves PATH through the production-mode app's WSGI callable (no server, no network) on the database that
DATABASE_URL names, after one warm-up request, and prints the 25 most expensive functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats

from werkzeug.test import EnvironBuilder

os.environ.setdefault("SECRET_KEY", "bench-only-secret")
os.environ.setdefault("TEST_PAYMENTS", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/bench/hello")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    from bench.wsgi import app

    headers = dict(h.split(":", 1) for h in args.header)
    environ = EnvironBuilder(path=args.path.split("?")[0], query_string=args.path.partition("?")[2], headers=headers)
    environ = environ.get_environ()

    def serve() -> None:
        body = app.wsgi_app(dict(environ), lambda status, headers, exc_info=None: None)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    serve()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.n):
        serve()
    profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(25)


if __name__ == "__main__":
    main()
