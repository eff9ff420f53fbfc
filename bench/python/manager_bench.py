"""Python's side of ManagerBenchmarks (run: python3 bench/python/manager_bench.py [n]).

Manager().dict() with 16 keys: `d[key] = i` then `d[key]`, from one process and from two at once (each on its own
8 keys). One op = one set + one get, both round trips to the manager's server process.
"""
import multiprocessing as mp
import sys
import time


def set_get(d, keys, n):
    s = 0
    for i in range(n):
        k = keys[i % len(keys)]
        d[k] = i
        s += d[k]
    return s


def peer(d, keys, n, go, done):
    go.wait()
    set_get(d, keys, n)
    done.set()


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    parent_keys = [f"parent-{i}" for i in range(8)]
    child_keys = [f"child-{i}" for i in range(8)]
    with mp.Manager() as m:
        d = m.dict()
        for k in parent_keys + child_keys:
            d[k] = 0
        best = float('inf')
        for _ in range(3):
            t = time.perf_counter(); set_get(d, parent_keys, n); best = min(best, time.perf_counter() - t)
        print(f"1 process:   Manager().dict() set+get: {n/best/1e3:.1f} k ops/s ({best/n*1e6:.1f} us/op)")

        go, done = mp.Event(), mp.Event()
        p = mp.Process(target=peer, args=(d, child_keys, n, go, done)); p.start()
        time.sleep(1)  # spawn is not timed
        t = time.perf_counter()
        go.set()
        set_get(d, parent_keys, n)
        done.wait()
        el = time.perf_counter() - t
        p.join()
        print(f"2 processes: Manager().dict() set+get: {2*n/el/1e3:.1f} k ops/s ({el/(2*n)*1e6:.1f} us/op, both processes' ops)")


if __name__ == '__main__':
    main()
