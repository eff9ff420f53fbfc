"""Python's multiprocessing equivalents of bench/NativeIpc.Benchmarks/PoolBenchmarks.cs, Pool(2), spawn context.

Run: python3 bench/python/pool_bench.py
- start to first result: Pool(2) + apply_async(identity).get() + terminate (as the .NET row), median of 10
- map of identity over 10,000 items, chunksize=1 (tasks/s and µs per item), median of 5
- apply_async round trip (µs), median of 5 batches of 2,000
"""
import multiprocessing as mp
import statistics
import time

MAP_ITEMS = 10_000
ROUNDS = 2_000


def identity(x):
    return x


def start_to_first_result(ctx):
    t = time.perf_counter()
    with ctx.Pool(2) as pool:  # __exit__ = terminate, as ProcessPool.Dispose
        pool.apply_async(identity, (1,)).get(timeout=60)
        first = time.perf_counter() - t
    return first, time.perf_counter() - t


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    runs = [start_to_first_result(ctx) for _ in range(10)]
    print(f"start -> first result           {statistics.median(r[0] for r in runs) * 1e3:8.1f} ms "
          f"(with terminate {statistics.median(r[1] for r in runs) * 1e3:.1f} ms)")
    with ctx.Pool(2) as pool:
        pool.map(identity, range(100))
        items = list(range(MAP_ITEMS))
        times = []
        for _ in range(5):
            t = time.perf_counter()
            r = pool.map(identity, items, chunksize=1)
            times.append(time.perf_counter() - t)
            assert r[-1] == MAP_ITEMS - 1
        m = statistics.median(times)
        print(f"map 10,000 items chunksize=1    {MAP_ITEMS / m:8.0f} tasks/s ({m / MAP_ITEMS * 1e6:.1f} us/item)")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(ROUNDS):
                pool.apply_async(identity, (7,)).get(timeout=60)
            times.append((time.perf_counter() - t) / ROUNDS)
        print(f"apply_async round trip          {statistics.median(times) * 1e6:8.1f} us")
