"""Python multiprocessing.Queue on the same workloads as bench/NativeIpc.Benchmarks/Queue*Benchmarks.cs.

1 producer process -> the main process (consumer): 8-byte ints, bytes payloads of 64 B, 4 KiB, 64 KiB;
2 producer processes -> 2 consumer processes with ints. Counts and checksums are verified.
Usage: python3 bench/python/queue_bench.py   (spawn start method, like NativeIpc's children)
"""
import multiprocessing as mp
import time


def produce_ints(q, n):
    for i in range(n):
        q.put(i)


def produce_bytes(q, n, size):
    payload = bytearray(size)
    for i in range(n):
        payload[0:8] = i.to_bytes(8, "little")
        q.put(bytes(payload))


def consume_ints(q, reports):
    count = total = 0
    while True:
        v = q.get()
        if v is None:
            reports.put((count, total))
            return
        count += 1
        total += v


def one_to_one_ints(n):
    q = mp.Queue()
    p = mp.Process(target=produce_ints, args=(q, n))
    p.start()
    t0 = time.perf_counter()
    s = 0
    for _ in range(n):
        s += q.get()
    dt = time.perf_counter() - t0
    p.join()
    assert s == n * (n - 1) // 2
    return n / dt


def one_to_one_bytes(n, size):
    q = mp.Queue()
    p = mp.Process(target=produce_bytes, args=(q, n, size))
    p.start()
    t0 = time.perf_counter()
    s = 0
    for _ in range(n):
        b = q.get()
        assert len(b) == size
        s += int.from_bytes(b[0:8], "little")
    dt = time.perf_counter() - t0
    p.join()
    assert s == n * (n - 1) // 2
    return n / dt


def two_to_two_ints(n):
    q, reports = mp.Queue(), mp.Queue()
    consumers = [mp.Process(target=consume_ints, args=(q, reports)) for _ in range(2)]
    for c in consumers:
        c.start()
    producers = [mp.Process(target=produce_ints, args=(q, n // 2)) for _ in range(2)]
    t0 = time.perf_counter()
    for p in producers:
        p.start()
    for p in producers:
        p.join()
    for _ in consumers:
        q.put(None)  # one end marker per consumer, after every item
    count = total = 0
    for _ in range(2):
        c, t = reports.get()
        count += c
        total += t
    dt = time.perf_counter() - t0  # includes producer start-up (~55 ms each), as small a share as n allows
    for c in consumers:
        c.join()
    assert count == n and total == 2 * ((n // 2) * (n // 2 - 1) // 2)
    return n / dt


if __name__ == "__main__":
    mp.set_start_method("spawn")
    r = one_to_one_ints(200_000)
    print(f"Queue 1->1 8-byte ints: {r:,.0f} msgs/s")
    for size, n in ((64, 100_000), (4096, 50_000), (65536, 5_000)):
        r = one_to_one_bytes(n, size)
        print(f"Queue 1->1 bytes {size:>6} B: {r:,.0f} msgs/s, {r * size / 1e6:,.1f} MB/s")
    r = two_to_two_ints(400_000)
    print(f"Queue 2->2 8-byte ints: {r:,.0f} msgs/s (includes producer start)")
