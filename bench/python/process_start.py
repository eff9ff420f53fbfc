"""Start + join of a child that does nothing, as the seed's first example does, timed per method.
Prints p50/p90 in ms for 'spawn' and 'fork'. Standard library only."""
import multiprocessing as mp
import statistics
import sys
import time


def nothing():
    pass


def measure(method, n):
    ctx = mp.get_context(method)
    times = []
    for _ in range(n + 3):
        t = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        assert p.exitcode == 0
        times.append((time.perf_counter() - t) * 1000)
    times = sorted(times[3:])  # drop warm-up
    return statistics.median(times), times[int(len(times) * 0.9)]


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for method in ("spawn", "forkserver", "fork"):
        p50, p90 = measure(method, n)
        print(f"python {sys.version.split()[0]} {method:10s} start+join p50 {p50:7.2f} ms  p90 {p90:7.2f} ms")
