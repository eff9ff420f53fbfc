"""Python's side of issue #3's benchmarks (run: python3 bench/python/shared_memory_bench.py).

(a) a child writes a 64 MiB Array('d') and the parent reads it (copies it out), with a persistent child driven by
    two Events so process start-up is not timed; the fastest Python way (memoryview bulk copy) and the idiomatic
    arr[:] read are both shown, next to a single-process 64 MiB bytes copy.
(b) two processes each doing N increments as `with v.get_lock(): v.value += 1`; the total is checked exactly.
"""
import multiprocessing as mp
import sys
import time

DOUBLES = 8 * 1024 * 1024  # 64 MiB
MIB64 = DOUBLES * 8


def writer(arr, go, done, stop, rounds):
    mv = memoryview(arr.get_obj()).cast('B')
    patterns = [bytes([1]) * MIB64, bytes([2]) * MIB64]  # built before timing: only the copy into shared memory is timed
    for r in range(rounds):
        go.wait(); go.clear()
        if stop.value:
            return
        mv[:] = patterns[r % 2]  # bulk write of the whole array
        done.set()


def incrementer(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def main():
    rounds = 5
    arr = mp.Array('d', DOUBLES)
    go, done, stop = mp.Event(), mp.Event(), mp.Value('b', 0)
    p = mp.Process(target=writer, args=(arr, go, done, stop, rounds)); p.start()
    mv = memoryview(arr.get_obj()).cast('B')
    copy = bytearray(MIB64)
    time.sleep(1)  # let the child build its patterns
    best = float('inf')
    for _ in range(rounds):
        t = time.perf_counter()
        go.set(); done.wait(); done.clear()
        copy[:] = mv  # parent reads: one memcpy out of shared memory into a preallocated buffer
        best = min(best, time.perf_counter() - t)
    p.join()
    print(f"(a) child writes + parent reads 64 MiB Array('d') via memoryview: {best*1e3:.1f} ms, {MIB64/best/1e9:.2f} GB/s")

    t = time.perf_counter(); lst = arr[:]; el = time.perf_counter() - t
    print(f"(a) parent reads 64 MiB Array('d') as arr[:] (list of floats): {el*1e3:.0f} ms, {MIB64/el/1e9:.3f} GB/s")
    src = bytes([1]) * MIB64; b = bytearray(MIB64); best = float('inf')
    for _ in range(5):
        t = time.perf_counter(); b[:] = src; best = min(best, time.perf_counter() - t)
    print(f"(a) memcpy 64 MiB, one process (bytearray[:] = bytes): {best*1e3:.1f} ms, {MIB64/best/1e9:.2f} GB/s")
    del lst, b, copy

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    v = mp.Value('q', 0)
    p = mp.Process(target=incrementer, args=(v, n))
    t = time.perf_counter()
    p.start()
    incrementer(v, n)
    p.join()
    el = time.perf_counter() - t
    assert v.value == 2 * n, (v.value, 2 * n)
    print(f"(b) 2 processes x {n} `with v.get_lock(): v.value += 1`: {el:.2f} s, {2*n/el/1e6:.2f} M ops/s "
          f"({el/(2*n)*1e9:.0f} ns/op, includes ~55 ms spawn)")


if __name__ == '__main__':
    main()
