"""Test support, loaded by every Python process started with this folder on PYTHONPATH:
record each name lookup or connection attempt for an address outside loopback.

Python's audit hooks see every socket.getaddrinfo, gethostbyname, connect and sendto,
whatever library makes them (aiohttp, requests, sentry-sdk, urllib...). Lines go to the
file named by NETWATCH_LOG: process id, event, address, command.
"""

import ipaddress
import os
import sys

_LOG = os.environ.get("NETWATCH_LOG", "")


def _outside_loopback(host: object) -> bool:
    if host is None:
        return False
    if isinstance(host, bytes):
        host = host.decode("utf-8", "replace")
    text = str(host)
    if text in ("", "localhost", "localhost.localdomain"):
        return False
    try:
        return not ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return True  # a name that would be looked up


def _watch(event: str, args: tuple) -> None:
    if event in ("socket.getaddrinfo", "socket.gethostbyname"):
        host = args[0]
    elif event in ("socket.connect", "socket.sendto"):
        address = args[-1]
        if not isinstance(address, tuple):
            return  # a Unix socket: on this machine
        host = address[0]
    else:
        return
    if _outside_loopback(host):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {event} {host!r} {' '.join(sys.argv)[:300]}\n")


if _LOG:
    sys.addaudithook(_watch)
