"""Create the bench staff user if needed, sign in over HTTP and print the session cookie.

python bench/staff_login.py http://127.0.0.1:PORT      (DATABASE_URL names the bench database)
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

from storefront import create_app
from storefront.services.staff import create_staff, find_staff

EMAIL, PASSWORD = "bench@voltwerk.example", "bench-password-1"
USER_AGENT = "storefront-bench"  # strong session protection ties the session to the user agent


def main(base: str) -> None:
    with create_app().app_context():
        if find_staff(EMAIL) is None:
            create_staff(EMAIL, PASSWORD)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/backoffice/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(f"{base}/backoffice/login", data=form)
    print("; ".join(f"{c.name}={c.value}" for c in jar))


if __name__ == "__main__":
    main(sys.argv[1])
