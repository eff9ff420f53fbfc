"""The mpi4py side of bench/Compare's MPI rows (see bench/Compare/Mpi/MpiComparison.cs). Run under MPI:

    mpiexec -n 3 python3 -m mpi4py.futures mpi_pool.py --repeats 3 --chunk1 20000 --auto 200000 --cpu-tasks 8 --cpu-iters 1000000

Rank 0 runs main(); the other ranks are mpi4py.futures workers. Prints "RESULT <row> <v1> <v2> ..." lines (one value
per timed run, after one warm-up run), then "WORKERS <n>".
"""
import argparse
import time

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor


def square(x):
    return x * x


def spin(iterations):
    # Equal CPU work per task; the sum is returned so the loop cannot be skipped.
    s = 0
    for i in range(iterations):
        s += i ^ (s >> 3)
    return s


def timed_map(ex, n, chunk):
    t = time.perf_counter()
    total = sum(ex.map(square, range(n), chunksize=chunk))
    dt = time.perf_counter() - t
    if total != sum(x * x for x in range(n)):
        raise SystemExit("mpi_pool.py: wrong map result")
    return n / dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk1", type=int, default=20000)
    ap.add_argument("--auto", type=int, default=200000)
    ap.add_argument("--cpu-tasks", type=int, default=8)
    ap.add_argument("--cpu-iters", type=int, default=1000000)
    a = ap.parse_args()
    with MPIPoolExecutor() as ex:
        workers = MPI.COMM_WORLD.Get_size() - 1  # rank 0 runs main(); mpi4py 3.1 has no num_workers
        list(ex.map(square, range(200)))  # every worker up
        rows = {}
        auto_chunk = max(1, -(-a.auto // (workers * 4)))  # Python Pool's default: four chunks per worker
        for name, fn in (("mpi-map-chunk1", lambda: timed_map(ex, a.chunk1, 1)),
                         ("mpi-map-auto", lambda: timed_map(ex, a.auto, auto_chunk))):
            fn()
            rows[name] = [fn() for _ in range(a.repeats)]
        tasks = [a.cpu_iters] * a.cpu_tasks
        expected = [spin(n) for n in tasks[:1]] * len(tasks)
        speedups = []
        for _ in range(a.repeats + 1):
            t = time.perf_counter()
            serial = [spin(n) for n in tasks]
            t_serial = time.perf_counter() - t
            t = time.perf_counter()
            parallel = list(ex.map(spin, tasks))
            t_pool = time.perf_counter() - t
            if serial != expected or parallel != expected:
                raise SystemExit("mpi_pool.py: wrong CPU result")
            speedups.append(t_serial / t_pool)
        rows["mpi-cpu-speedup"] = speedups[1:]
    for name, values in rows.items():
        print("RESULT", name, " ".join(f"{v:.6g}" for v in values), flush=True)
    print("WORKERS", workers, flush=True)


if __name__ == "__main__":
    main()
