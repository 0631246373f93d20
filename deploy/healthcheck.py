"""Exit 0 when URL answers 200 within 5 s, else 1: the compose healthchecks (no curl in the image).

python deploy/healthcheck.py http://127.0.0.1:5005/
"""

import sys
import urllib.error
import urllib.request


def main(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return 0 if reply.status == 200 else 1
    except (urllib.error.URLError, OSError) as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
