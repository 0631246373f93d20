"""Screenshots of every console page at desktop and tablet width, for the README (docs/).

    .venv/bin/python scripts/console_screenshots.py --url http://127.0.0.1:8081 --user maria --out docs

Signs in (the password is read from the terminal, or from $CONSOLE_PASSWORD), opens each page
in Debian's Chromium and saves console-<page>-<desktop|tablet>.png. Run it against a console
with realistic data: `python -m staff.seed` fills a pair of test databases.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "bookings": "/bookings",
    "live": "/live",
    "conversations": "/conversations",
    "transcript": None,  # the first conversation listed
    "teach": "/teach",
    "answers": "/answers",
    "answer": "/answers/answers/recovery",
    "reports": "/reports",
    "insights": "/insights",
    "clinic": "/clinic",
    "audit": "/audit",
}
WIDTHS = {"desktop": (1280, 900), "tablet": (820, 1180)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--user", required=True)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    password = os.environ.get("CONSOLE_PASSWORD") or getpass.getpass("Password: ")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for width_name, (width, height) in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(args.url + "/login")
            page.get_by_label("Name").fill(args.user)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r".*/bookings"))
            for name, path in PAGES.items():
                if path is None:
                    page.goto(args.url + "/conversations")
                    path = page.locator("a[href^='/conversations/']").first.get_attribute("href") or "/conversations"
                page.goto(args.url + path)
                target = args.out / f"console-{name}-{width_name}.png"
                page.screenshot(path=str(target))
                print(f"wrote {target}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
