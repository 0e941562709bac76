"""Create or drop a PostgreSQL database: `python scripts/pgdb.py create|drop ADMIN_URL NAME`."""

import re
import sys

from sqlalchemy import create_engine, text


def main(action: str, admin_url: str, name: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"refusing unsafe database name {name!r}")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if action == "create":
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:4])
