#!/usr/bin/env python3
"""The Python multiprocessing column of bench/Compare.

Standard library only. Runs the workloads of bench/Compare/README.md and prints one JSON object on stdout;
progress goes to stderr. The .NET app passes the message counts (--counts) so both sides do the same work;
run alone, it uses the defaults below.

    python3 compare.py [--quick] [--only queue,pipe | --names queue-1to1-8B,...] [--repeats N]
                       [--counts '{"queue-1to1-8B": 20000}']
"""
import argparse
import json
import multiprocessing as mp
import os
import statistics
import struct
import sys
import time
from dataclasses import dataclass

import compare_net

# Same start method as NativeIpc (a fresh process, never fork) and CPython 3.14's default on Linux.
CTX = mp.get_context("spawn")

# name -> (count in a full run, count in --quick). Mirrors WorkloadCatalog.cs; the app overrides with --counts.
DEFAULT_COUNTS = {
    "queue-1to1-8B": (200_000, 20_000),
    "queue-1to1-64B": (200_000, 20_000),
    "queue-1to1-4KiB": (50_000, 5_000),
    "queue-1to1-64KiB": (5_000, 500),
    "queue-1to1-record": (100_000, 10_000),
    "queue-1to1-record-memorypack": (100_000, 10_000),
    "queue-1to1-256B": (200_000, 20_000),
    "queue-1to1-1KiB": (100_000, 10_000),
    "queue-1to1-16KiB": (20_000, 2_000),
    "queue-1to1-256KiB": (1_000, 100),
    "queue-1to1-1MiB": (300, 30),
    "queue-1p1c-8B": (200_000, 20_000),
    "queue-2to2-8B": (200_000, 20_000),
    "queue-4to4-8B": (200_000, 20_000),
    "queue-8to8-8B": (200_000, 20_000),
    "pipe-pingpong-median": (20_000, 2_000),
    "pipe-pingpong-p99": (20_000, 2_000),
    "pipe-oneway-64B": (200_000, 20_000),
    "pipe-oneway-4KiB": (50_000, 5_000),
    "pipe-oneway-1MiB": (200, 20),
    "value-incr-lock": (100_000, 10_000),
    "value-incr-atomic": (1_000_000, 100_000),
    "array-64MiB": (1, 1),
    "lock-contention": (100_000, 10_000),
    "event-pingpong": (5_000, 500),
    "async-queue-rtt": (20_000, 2_000),
    "async-pipe-rtt": (20_000, 2_000),
    "process-start-join": (10, 3),
    "process-start-join-fork": (10, 3),
    "process-start-join-standby": (10, 3),
    "process-start-join-standby-spaced": (10, 3),
    "pool-first-result": (3, 1),
    "pool-map-chunk1": (20_000, 2_000),
    "pool-map-cpu-speedup": (16, 8),
    "pool-map-w1": (400, 100),
    "pool-map-w2": (400, 100),
    "pool-map-w4": (400, 100),
    "pool-map-w8": (400, 100),
    "apply-async-rtt": (5_000, 500),
    "manager-dict-ops": (20_000, 2_000),
    **compare_net.DEFAULT_COUNTS,
}

SIZES = {"8B": 8, "64B": 64, "256B": 256, "1KiB": 1024, "4KiB": 4096, "16KiB": 16384, "64KiB": 65536,
         "256KiB": 262144, "1MiB": 1 << 20}

# Target time of one CPU-bound task: both languages calibrate their loop count to it, so a speedup row compares
# equal work per task (the same loop count would be ~50x more work in time for Python).
CPU_TASK_MS = 25.0
# One task of the pool-scaling rows (pool-map-wN): short enough that dispatch still shows, long enough to scale.
SCALE_TASK_MS = 2.0
_calibrated = {}


def calibrate(ms):
    """Loop count for cpu_task that takes about ms milliseconds here (best of 3 probes); printed to stderr."""
    if ms in _calibrated:
        return _calibrated[ms]
    k = 10_000
    while True:
        # Probes of at least 20 ms, best of five: a busy machine only ever makes a probe slower.
        best = min(_timed(cpu_task, k) for _ in range(5))
        if best >= 0.02:
            break
        k *= 4
    n = max(1, int(k * ms / 1e3 / best))
    # Refined at the size itself: a Python int's cost grows with its magnitude, so the long probe's per-iteration time
    # (i*i past 2**30) overstates a short task's, which then ran ~15 % short of the target (1.7 ms for 2 ms).
    for _ in range(4):
        took = min(_timed(cpu_task, n) for _ in range(3))
        if abs(took * 1e3 - ms) <= 0.03 * ms:
            break
        n = max(1, int(n * ms / 1e3 / took))
    took = min(_timed(cpu_task, n) for _ in range(3)) * 1e3
    print(f"calibration: python cpu_task({n}) = {took:.1f} ms (target {ms} ms)", file=sys.stderr, flush=True)
    _calibrated[ms] = n
    return n


def _timed(f, arg):
    t0 = time.perf_counter()
    f(arg)
    return time.perf_counter() - t0


def proc(**kw):
    # Daemonic, so a workload that fails half-way cannot leave a child that Python's exit would wait for forever.
    return CTX.Process(daemon=True, **kw)


class VerifyError(Exception):
    """The work measured did not happen as specified: the figure is discarded."""


def check(cond, what):
    if not cond:
        raise VerifyError(what)


def payload(i, size):
    # Every message carries its index in the first 8 bytes: the receiver's sum proves none was lost or repeated.
    head = struct.pack("<q", i)
    return head + bytes(size - 8) if size > 8 else head


def index_of(msg):
    return struct.unpack_from("<q", msg)[0]


# ---------------------------------------------------------------- children (module level: spawn imports them)

def noop():
    pass


def square(x):
    return x * x


def cpu_task(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


@dataclass
class Record:
    # The small record of the queue-1to1-record rows (the .NET side sends the same four fields).
    id: int
    name: str
    price: float
    quantity: int


def record_producer(q, n):
    q.put(Record(-1, "ready", 0.0, 0))
    for i in range(n):
        q.put(Record(i, "widget", 9.99, 3))
    q.put(None)


def run_queue_records(n):
    q = CTX.Queue()
    p = proc(target=record_producer, args=(q, n))
    p.start()
    check(q.get().id == -1, "producer did not start")
    t0 = time.perf_counter()
    count = total = 0
    while True:
        m = q.get()
        if m is None:
            break
        count += 1
        total += m.id
    dt = time.perf_counter() - t0
    p.join()
    check(count == n and total == n * (n - 1) // 2, f"got {count} records, id sum {total}")
    return n / dt


def queue_producer(q, n, size, first):
    q.put(b"ready")
    for i in range(first, first + n):
        q.put(payload(i, size))
    q.put(None)


def queue_producer_go(q, n, size, first, go):
    go.wait()
    for i in range(first, first + n):
        q.put(payload(i, size))
    q.put(None)


def queue_consumer(q, results, ready):
    ready.put(("ready", 0, 0, 0.0))
    count = total = 0
    last = 0.0
    while True:
        m = q.get()
        if m is None:
            break
        count += 1
        total += index_of(m)
        last = time.perf_counter()
    results.put(("done", count, total, last))


def pipe_echo(conn, n):
    for _ in range(n):
        conn.send_bytes(conn.recv_bytes())
    conn.close()


def pipe_sender(conn, n, size):
    conn.send_bytes(b"ready")
    buf = bytearray(size)
    for i in range(n):
        struct.pack_into("<q", buf, 0, i)
        conn.send_bytes(buf)
    conn.close()


def wait_go(go):
    # Spin on a shared flag, not Event.wait(): both contenders must start within microseconds of each other,
    # or one finishes before the other wakes and nothing is contended. (The .NET side spins the same way.)
    while go.value == 0:
        pass


def value_incr(v, n, go, done):
    done.put("ready")
    wait_go(go)
    for _ in range(n):
        with v.get_lock():
            v.value += 1
    done.put(time.perf_counter())


def lock_loop(lock, n, go, done):
    done.put("ready")
    wait_go(go)
    count = 0
    for _ in range(n):
        with lock:
            count += 1
    done.put((count, time.perf_counter()))


def array_writer(arr, k, reply):
    mv = memoryview(arr).cast("B")
    pattern = bytes([k]) * len(mv)
    reply.put("ready")
    t0 = time.perf_counter()
    mv[:] = pattern
    reply.put(time.perf_counter() - t0)


def event_echo(ping, pong, n):
    for _ in range(n):
        ping.wait()
        ping.clear()
        pong.set()


# ---------------------------------------------------------------- one timed run of each workload -> (value, extra)

def run_queue_1to1(n, size):
    q = CTX.Queue()
    p = proc(target=queue_producer, args=(q, n, size, 0))
    p.start()
    check(q.get() == b"ready", "producer did not start")
    t0 = time.perf_counter()
    count = total = 0
    nbytes = 0
    while True:
        m = q.get()
        if m is None:
            break
        count += 1
        nbytes += len(m)
        total += index_of(m)
    dt = time.perf_counter() - t0
    p.join()
    check(count == n and total == n * (n - 1) // 2 and nbytes == n * size, f"got {count} msgs, index sum {total}")
    return n / dt


def run_queue_2to2(n, k=2):
    q = CTX.Queue()
    results = CTX.Queue()
    go = CTX.Event()
    half = n // k
    producers = [proc(target=queue_producer_go, args=(q, half, 8, j * half, go)) for j in range(k)]
    consumers = [proc(target=queue_consumer, args=(q, results, results)) for _ in range(k)]
    for p in producers + consumers:
        p.start()
    for _ in consumers:
        check(results.get()[0] == "ready", "consumer did not start")
    t0 = time.perf_counter()
    go.set()
    done = [results.get() for _ in consumers]
    for p in producers + consumers:
        p.join()
    count = sum(d[1] for d in done)
    total = sum(d[2] for d in done)
    dt = max(d[3] for d in done) - t0
    check(count == k * half and total == (k * half) * (k * half - 1) // 2, f"got {count} msgs, index sum {total}")
    return k * half / dt


def run_pipe_pingpong(n):
    a, b = CTX.Pipe()
    p = proc(target=pipe_echo, args=(b, n))
    p.start()
    rtts = []
    msg = bytearray(8)
    for i in range(n):
        struct.pack_into("<q", msg, 0, i)
        t0 = time.perf_counter()
        a.send_bytes(msg)
        r = a.recv_bytes()
        rtts.append(time.perf_counter() - t0)
        check(index_of(r) == i, "echo mismatch")
    p.join()
    rtts.sort()
    return rtts[len(rtts) // 2] * 1e6, rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))] * 1e6


def run_pipe_oneway(n, size):
    a, b = CTX.Pipe(duplex=False)
    p = proc(target=pipe_sender, args=(b, n, size))
    p.start()
    b.close()
    check(a.recv_bytes() == b"ready", "sender did not start")
    t0 = time.perf_counter()
    total = nbytes = 0
    for _ in range(n):
        m = a.recv_bytes()
        nbytes += len(m)
        total += index_of(m)
    dt = time.perf_counter() - t0
    p.join()
    check(nbytes == n * size and total == n * (n - 1) // 2, "bytes or index sum wrong")
    return nbytes / dt / 1e6


def run_value_incr(n):
    v = CTX.Value("q", 0)
    go = CTX.RawValue("i", 0)
    done = CTX.Queue()
    ps = [proc(target=value_incr, args=(v, n, go, done)) for _ in range(2)]
    for p in ps:
        p.start()
    for _ in ps:  # both children at go.wait(): their start is not measured
        check(done.get() == "ready", "child did not start")
    t0 = time.perf_counter()
    go.value = 1
    end = max(done.get() for _ in ps)
    for p in ps:
        p.join()
    check(v.value == 2 * n, f"value {v.value}, expected {2 * n}")
    return 2 * n / (end - t0)


def run_lock_contention(n):
    lock = CTX.Lock()
    go = CTX.RawValue("i", 0)
    done = CTX.Queue()
    ps = [proc(target=lock_loop, args=(lock, n, go, done)) for _ in range(2)]
    for p in ps:
        p.start()
    for _ in ps:  # both children at go.wait(): their start is not measured
        check(done.get() == "ready", "child did not start")
    t0 = time.perf_counter()
    go.value = 1
    res = [done.get() for _ in ps]
    for p in ps:
        p.join()
    check(sum(r[0] for r in res) == 2 * n, "acquire count wrong")
    return 2 * n / (max(r[1] for r in res) - t0)


_array_round = [0]


def run_array(_n):
    size = 64 << 20
    _array_round[0] += 1
    k = 1 + _array_round[0] % 250
    arr = CTX.RawArray("B", size)
    reply = CTX.Queue()
    p = proc(target=array_writer, args=(arr, k, reply))
    p.start()
    check(reply.get() == "ready", "writer did not start")
    t_write = reply.get()
    p.join()
    t0 = time.perf_counter()
    copy = bytes(memoryview(arr).cast("B"))
    t_read = time.perf_counter() - t0
    check(copy.count(bytes([k])) == size, "array content wrong")
    return 2 * size / (t_write + t_read) / 1e9


def run_event_pingpong(n):
    ping, pong = CTX.Event(), CTX.Event()
    p = proc(target=event_echo, args=(ping, pong, n))
    p.start()
    rtts = []
    for _ in range(n):
        t0 = time.perf_counter()
        ping.set()
        check(pong.wait(10), "no answer")
        pong.clear()
        rtts.append(time.perf_counter() - t0)
    p.join()
    return statistics.median(rtts) * 1e6


def run_process_start(n, ctx, pause=0.0):
    total = 0.0
    for _ in range(n):
        if pause:
            time.sleep(pause)  # untimed: a start after the warm side had time to get ready again
        t0 = time.perf_counter()
        p = ctx.Process(target=noop)
        p.start()
        p.join()
        total += time.perf_counter() - t0
        check(p.exitcode == 0, f"exit code {p.exitcode}")
    return total / n * 1e3


def run_pool_first(n):
    total = 0.0
    for _ in range(n):
        t0 = time.perf_counter()
        pool = CTX.Pool(2)
        r = pool.apply(square, (7,))
        total += time.perf_counter() - t0
        check(r == 49, "wrong result")
        pool.terminate()
        pool.join()
    return total / n * 1e3


_pools = {}


def shared_pool():
    # Pool start is its own workload; the map/apply figures reuse one warm pool.
    if "p" not in _pools:
        _pools["p"] = CTX.Pool(2)
        _pools["p"].map(noop_arg, range(4))
    return _pools["p"]


def noop_arg(x):
    return x


def run_pool_map(n):
    pool = shared_pool()
    t0 = time.perf_counter()
    r = pool.map(square, range(n), chunksize=1)
    dt = time.perf_counter() - t0
    check(sum(r) == sum(i * i for i in range(n)), "wrong sum")
    return n / dt


def run_pool_speedup(n):
    pool = shared_pool()
    work = [calibrate(CPU_TASK_MS)] * n
    t0 = time.perf_counter()
    serial = [cpu_task(w) for w in work]
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    par = pool.map(cpu_task, work, chunksize=1)
    t_par = time.perf_counter() - t0
    check(serial == par, "results differ")
    return t_serial / t_par


def run_pool_workers(n, workers):
    # Pool start untimed; n tasks of SCALE_TASK_MS each, chunk 1: tasks/s against the worker count.
    work = [calibrate(SCALE_TASK_MS)] * n
    pool = CTX.Pool(workers)
    try:
        pool.map(noop_arg, range(2 * workers))
        t0 = time.perf_counter()
        r = pool.map(cpu_task, work, chunksize=1)
        dt = time.perf_counter() - t0
        check(len(r) == n and len(set(r)) == 1, "wrong results")
        return n / dt
    finally:
        pool.terminate()
        pool.join()


def run_apply_async(n):
    pool = shared_pool()
    t0 = time.perf_counter()
    for i in range(n):
        check(pool.apply_async(noop_arg, (i,)).get() == i, "wrong result")
    return (time.perf_counter() - t0) / n * 1e6


_managers = {}


def run_manager_dict(n):
    if "m" not in _managers:
        _managers["m"] = CTX.Manager()
    return compare_net.dict_ops(_managers["m"].dict(), n)


# Median and p99 come from the same round trips when both rows run: separate runs land on different vCPU
# placements, and a p99 below its median would read as nonsense.
_p99s = []


def remember_p99(pair):
    _p99s.append(pair[1])
    return pair[0]


# name -> (unit, run(count) -> value or tuple of values for the sibling rows)
WORKLOADS = {
    "queue-1to1-8B": ("msg/s", lambda n: run_queue_1to1(n, 8)),
    "queue-1to1-64B": ("msg/s", lambda n: run_queue_1to1(n, 64)),
    "queue-1to1-4KiB": ("msg/s", lambda n: run_queue_1to1(n, 4096)),
    "queue-1to1-64KiB": ("msg/s", lambda n: run_queue_1to1(n, 65536)),
    "queue-1to1-record": ("msg/s", run_queue_records),
    # Python has one encoding (pickle): the row above is its figure for a record.
    "queue-1to1-record-memorypack": ("msg/s", None),
    "queue-1to1-256B": ("msg/s", lambda n: run_queue_1to1(n, 256)),
    "queue-1to1-1KiB": ("msg/s", lambda n: run_queue_1to1(n, 1024)),
    "queue-1to1-16KiB": ("msg/s", lambda n: run_queue_1to1(n, 16384)),
    "queue-1to1-256KiB": ("msg/s", lambda n: run_queue_1to1(n, 262144)),
    "queue-1to1-1MiB": ("msg/s", lambda n: run_queue_1to1(n, 1 << 20)),
    "queue-1p1c-8B": ("msg/s", lambda n: run_queue_2to2(n, 1)),
    "queue-2to2-8B": ("msg/s", run_queue_2to2),
    "queue-4to4-8B": ("msg/s", lambda n: run_queue_2to2(n, 4)),
    "queue-8to8-8B": ("msg/s", lambda n: run_queue_2to2(n, 8)),
    "pipe-pingpong-median": ("µs", lambda n: remember_p99(run_pipe_pingpong(n))),
    "pipe-pingpong-p99": ("µs", lambda n: run_pipe_pingpong(n)[1]),
    "pipe-oneway-64B": ("MB/s", lambda n: run_pipe_oneway(n, 64)),
    "pipe-oneway-4KiB": ("MB/s", lambda n: run_pipe_oneway(n, 4096)),
    "pipe-oneway-1MiB": ("MB/s", lambda n: run_pipe_oneway(n, 1 << 20)),
    "value-incr-lock": ("ops/s", run_value_incr),
    # multiprocessing has no atomic add: a Value is only safe under its lock (the row above).
    "value-incr-atomic": ("ops/s", None),
    "array-64MiB": ("GB/s", run_array),
    "lock-contention": ("ops/s", run_lock_contention),
    "event-pingpong": ("µs", run_event_pingpong),
    # multiprocessing's Queue and Connection cannot be awaited (asyncio does not cover them).
    "async-queue-rtt": ("µs", None),
    "async-pipe-rtt": ("µs", None),
    "process-start-join": ("ms", lambda n: run_process_start(n, CTX)),
    "process-start-join-fork": ("ms", lambda n: run_process_start(n, mp.get_context("fork"))),
    # Python's warm-start method is forkserver: the row NativeIpc's standby start is compared with.
    "process-start-join-standby": ("ms", lambda n: run_process_start(n, mp.get_context("forkserver"))),
    "process-start-join-standby-spaced": ("ms", lambda n: run_process_start(n, mp.get_context("forkserver"), 0.2)),
    "pool-first-result": ("ms", run_pool_first),
    "pool-map-chunk1": ("task/s", run_pool_map),
    "pool-map-cpu-speedup": ("x", run_pool_speedup),
    "pool-map-w1": ("task/s", lambda n: run_pool_workers(n, 1)),
    "pool-map-w2": ("task/s", lambda n: run_pool_workers(n, 2)),
    "pool-map-w4": ("task/s", lambda n: run_pool_workers(n, 4)),
    "pool-map-w8": ("task/s", lambda n: run_pool_workers(n, 8)),
    "apply-async-rtt": ("µs", run_apply_async),
    "manager-dict-ops": ("ops/s", run_manager_dict),
    **compare_net.WORKLOADS,
}

# Why a row with no Python function is n/a.
NOT_APPLICABLE = {
    "value-incr-atomic": "n/a: no atomic add",
    "async-queue-rtt": "n/a: no awaitable Queue",
    "queue-1to1-record-memorypack": "n/a: pickle only (row above)",
    "async-pipe-rtt": "n/a: no awaitable Connection",
}


def selected(name, only):
    # The same rule as the app's --only: a term anywhere in the name, ignoring case.
    return not only or any(o.lower() in name.lower() for o in only)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--repeats", type=int, default=0)
    ap.add_argument("--counts", default="")
    ap.add_argument("--names", default="", help="exact workload names (what the .NET app passes)")
    a = ap.parse_args()
    only = [o for o in a.only.split(",") if o]
    repeats = a.repeats or (3 if a.quick else 5)
    counts = {k: v[1 if a.quick else 0] for k, v in DEFAULT_COUNTS.items()}
    if a.counts:
        counts.update(json.loads(a.counts))
    out = {"python": sys.version.split()[0], "start_method": "spawn", "repeats": repeats, "workloads": {}}
    exact = [n for n in a.names.split(",") if n]
    names = [n for n in WORKLOADS if (n in exact if exact else selected(n, only))]
    for idx, name in enumerate(names):
        unit, fn = WORKLOADS[name]
        n = counts[name]
        print(f"[python {idx + 1}/{len(names)}] {name}", file=sys.stderr, flush=True)
        if fn is None:
            out["workloads"][name] = {"unit": unit, "count": n, "not_applicable": NOT_APPLICABLE.get(name, "n/a")}
            continue
        try:
            if name == "pipe-pingpong-p99" and len(_p99s) == repeats + 1:
                values = _p99s[1:]
                out["workloads"][name] = {"unit": unit, "count": n, "values": values, "median": statistics.median(values),
                                          "min": min(values), "max": max(values)}
                continue
            fn(max(1, n // 10) if name not in ("array-64MiB",) else n)  # warm-up: imports, page faults, caches
            values = [fn(n) for _ in range(repeats)]
            out["workloads"][name] = {"unit": unit, "count": n, "values": values, "median": statistics.median(values),
                                      "min": min(values), "max": max(values)}
        except Exception as e:  # one broken workload must not lose the others' figures
            out["workloads"][name] = {"unit": unit, "count": n, "error": f"{type(e).__name__}: {e}"}
    for pool in _pools.values():
        pool.terminate()
    for m in _managers.values():
        m.shutdown()
    compare_net.shutdown()
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
