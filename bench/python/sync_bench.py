"""Python's multiprocessing equivalents of bench/NativeIpc.Benchmarks/SyncBenchmarks.cs (issue #4).

Run: python3 bench/python/sync_bench.py
- Lock counter: two processes each increment a shared counter 200,000 times under one Lock (Value(lock=False)).
- Event ping-pong: two processes, two Events; round trip = set ping, child clears it and sets pong.
- Uncontended Lock acquire+release in one process (for scale against the .NET figure).
"""
import multiprocessing as mp
import time

INCREMENTS = 200_000
ROUNDS = 5_000


def counter_child(lock, counter, ready, go):
    ready.set()
    go.wait()
    for _ in range(INCREMENTS):
        with lock:
            counter.value += 1


def pong_child(ping, pong, ready):
    ready.set()
    for _ in range(ROUNDS):
        ping.wait()
        ping.clear()
        pong.set()


def lock_counter():
    lock, counter = mp.Lock(), mp.Value("q", 0, lock=False)
    ready, go = mp.Event(), mp.Event()
    p = mp.Process(target=counter_child, args=(lock, counter, ready, go))
    p.start()
    ready.wait()
    t0 = time.perf_counter()
    go.set()
    for _ in range(INCREMENTS):
        with lock:
            counter.value += 1
    p.join()
    dt = time.perf_counter() - t0
    assert counter.value == 2 * INCREMENTS, counter.value
    return 2 * INCREMENTS / dt


def ping_pong():
    ping, pong, ready = mp.Event(), mp.Event(), mp.Event()
    p = mp.Process(target=pong_child, args=(ping, pong, ready))
    p.start()
    ready.wait()
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        ping.set()
        pong.wait()
        pong.clear()
    dt = time.perf_counter() - t0
    p.join()
    return dt / ROUNDS * 1e6


def uncontended():
    lock = mp.Lock()
    n = 1_000_000
    t0 = time.perf_counter()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return (time.perf_counter() - t0) / n * 1e9


if __name__ == "__main__":
    mp.set_start_method("spawn")
    print(f"uncontended Lock acquire+release: {uncontended():.0f} ns/op")
    rates = [lock_counter() for _ in range(3)]
    print(f"Lock counter, 2 procs x {INCREMENTS}: {max(rates):,.0f} ops/s (best of 3; runs: {', '.join(f'{r:,.0f}' for r in rates)})")
    rts = [ping_pong() for _ in range(3)]
    print(f"Event ping-pong round trip: {min(rts):.1f} us (best of 3; runs: {', '.join(f'{r:.1f}' for r in rts)})")
