"""The live hand-off queue: oldest first, one staff member per conversation, released on sign-out."""

import threading

from storage.handoffs import ENDED, TAKEN, WAITING, HandoffStore


def test_queue_order_take_once_and_end(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")
    first, ahead_first = store.request("visitor-a", now=100.0)
    second, ahead_second = store.request("visitor-b", now=110.0)
    assert (ahead_first, ahead_second) == (0, 1) and first.state == WAITING
    assert [h.sender_id for h in store.waiting()] == ["visitor-a", "visitor-b"]
    assert store.take(first.id, "maria", now=120.0) is None
    assert store.take(first.id, "omar") == "maria"  # already taken by maria
    taken = store.get(first.id)
    assert taken.state == TAKEN and taken.taken_by == "maria" and taken.taken_at == 120.0
    assert store.ahead_of(store.get(second.id)) == 0  # the first is taken: the second is next
    assert store.end(first.id, "handed_back", now=150.0) and not store.end(first.id, "closed")
    assert store.get(first.id).state == ENDED and store.get(first.id).outcome == "handed_back"
    assert store.take(first.id, "omar") == "ended"
    assert store.open_for("visitor-a") is None and store.open_for("visitor-b").id == second.id


def test_two_staff_pressing_take_over_at_once_get_one_winner(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")
    handoff, _ = store.request("visitor-a")
    results = []
    threads = [
        threading.Thread(target=lambda n=n: results.append(store.take(handoff.id, n))) for n in ("maria", "omar")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == sorted([None, store.get(handoff.id).taken_by], key=str)


def test_presence_release_and_red_flags(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")
    store.set_available("maria", True, now=1000.0)
    assert store.available_staff(now=1030.0) == ["maria"] and store.available_staff(now=1100.0) == []
    store.seen("maria", now=1090.0)
    assert store.is_available("maria", now=1100.0)
    handoff, _ = store.request("visitor-a")
    store.take(handoff.id, "maria")
    store.flag_red("visitor-a")
    assert store.get(handoff.id).red_flag
    assert [h.id for h in store.release("maria")] == [handoff.id]
    assert store.get(handoff.id).state == WAITING and not store.is_available("maria", now=1100.0)


def test_insights_count_hand_offs_waits_and_lengths(tmp_path):
    from staff.insights import live_figures

    store = HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")
    first, _ = store.request("visitor-a", now=1000.0)
    store.take(first.id, "maria", now=1030.0)
    store.end(first.id, "handed_back", now=1330.0)
    second, _ = store.request("visitor-b", now=1100.0)
    store.end(second.id, "callback", now=1300.0)
    store.flag_red("visitor-a")  # ended already: not flagged
    figures = live_figures(store.asked_between(0.0, 2000.0))
    assert figures == {
        "asked": "2",
        "taken": "1",
        "callback": "1",
        "wait": "30 s",
        "length": "5.0 min",
        "red_flags": "0",
    }
    assert store.asked_between(1050.0, 2000.0)[0].sender_id == "visitor-b"


def test_a_wait_nobody_took_for_half_an_hour_is_dropped_as_abandoned(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'c.db'}")
    old, _ = store.request("visitor-left", now=1000.0)
    taken, _ = store.request("visitor-talking", now=1000.0)
    store.take(taken.id, "maria", now=1010.0)
    recent, _ = store.request("visitor-waiting", now=1000.0 + 29 * 60)
    assert store.expire_abandoned(now=1000.0 + 31 * 60) == 1
    assert store.get(old.id).outcome == "abandoned"
    assert store.get(taken.id).ended_at is None and store.get(recent.id).ended_at is None
