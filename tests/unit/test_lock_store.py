"""The atomic Redis lock store against a real Redis (Debian's redis-server, on a free port)."""

import asyncio
import shutil
import subprocess
import threading
import time

import pytest
from rasa.core.lock import TicketLock

from channels.lock_store import AtomicRedisLockStore
from ops.cluster_services import port_answers
from ops.servers import free_port


@pytest.fixture(scope="module")
def redis_port():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server is missing: scripts/ensure_test_deps.sh installs Debian's redis-server", pytrace=False
        )
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while not port_answers(port):
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield port
    server.terminate()
    server.wait()


def _store(port: int) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=port, db=0, key_prefix="test")


def test_tickets_taken_at_the_same_instant_by_many_servers_are_all_different(redis_port):
    stores = [_store(redis_port) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    tickets = []

    def take(store):
        barrier.wait()
        tickets.append(store.issue_ticket("same-visitor", 30))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(len(stores)))
    assert len(stores[0].get_lock("same-visitor").tickets) == len(stores)


def test_messages_of_one_visitor_run_one_at_a_time_in_the_order_they_queued(redis_port):
    store = _store(redis_port)
    running, order = [], []

    async def message(number: int) -> None:
        async with store.lock("ordered", lock_lifetime=10):
            running.append(number)
            assert len(running) == 1, "two messages of one visitor ran at once"
            await asyncio.sleep(0.02)
            order.append(number)
            running.remove(number)

    async def main() -> None:
        tasks = []
        for number in range(5):
            tasks.append(asyncio.create_task(message(number)))
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert order == [0, 1, 2, 3, 4]
    assert store.get_lock("ordered") is None  # the last one out removed the queue


def test_a_waiter_gets_the_lock_when_a_dead_holders_ticket_expires_not_never(redis_port):
    store = _store(redis_port)
    store.issue_ticket("killed-holder", 1)  # a server took it, then was killed: never released

    async def retry() -> float:
        started = time.monotonic()
        async with store.lock("killed-holder", lock_lifetime=1):
            return time.monotonic() - started

    # Rasa's own store waits forever here: the waiter's ticket expires too, and then nobody
    # is "now serving" its number.
    waited = asyncio.run(asyncio.wait_for(retry(), timeout=10))
    assert 0.5 < waited < 3


def test_cleanup_of_an_unknown_queue_is_harmless(redis_port):
    store = _store(redis_port)
    store.cleanup("never-locked", 0)
    assert store.get_lock("never-locked") is None
    store.save_lock(TicketLock("x"))
