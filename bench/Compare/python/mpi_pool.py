"""The mpi4py side of bench/Compare's MPI rows (see bench/Compare/Mpi/MpiComparison.cs). Run under MPI:

    mpiexec -n 3 python3 -m mpi4py.futures mpi_pool.py --repeats 3 --chunk1 20000 --auto 200000 --cpu-tasks 16

Rank 0 runs main(); the other ranks are mpi4py.futures workers. Prints "calibration: ..." and "CHUNK <row> <size>"
lines, then "RESULT <row> <v1> <v2> ..." lines (one value per timed run, after one warm-up run), then "WORKERS <n>".
"""
import argparse
import time

from mpi4py import MPI
from mpi4py.futures import MPIPoolExecutor

# One CPU-bound task takes this long in each language (the loop count is calibrated here, on rank 0): the same
# loop count would be ~50x more time in Python than in C#, and the speedup row would then measure dispatch.
CPU_TASK_MS = 25.0


def square(x):
    return x * x


def cpu_task(n):
    # The same loop as compare.py's cpu_task and the C# Calibration.CpuTask (64-bit in both languages).
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def _best(n, probes):
    best = float("inf")
    for _ in range(probes):
        t = time.perf_counter()
        cpu_task(n)
        best = min(best, time.perf_counter() - t)
    return best


def calibrate(ms):
    """Loop count for which cpu_task takes about ms milliseconds here, as compare.py's calibrate does: probes of at
    least 20 ms, best of five (a busy machine only ever makes a probe slower)."""
    k = 10_000
    while (best := _best(k, 5)) < 0.02:
        k *= 4
    n = max(1, int(k * ms / 1e3 / best))
    print(f"calibration: python cpu_task({n}) = {_best(n, 3) * 1e3:.1f} ms (target {ms} ms)", flush=True)
    return n


def timed_map(ex, n, chunk):
    t = time.perf_counter()
    total = sum(ex.map(square, range(n), chunksize=chunk))
    dt = time.perf_counter() - t
    if total != sum(x * x for x in range(n)):
        raise SystemExit("mpi_pool.py: wrong map result")
    return n / dt


def speedup(ex, tasks, serial_ms):
    t = time.perf_counter()
    serial = [cpu_task(n) for n in tasks]
    t_serial = time.perf_counter() - t
    serial_ms.append(t_serial * 1e3 / len(tasks))
    t = time.perf_counter()
    parallel = list(ex.map(cpu_task, tasks, chunksize=1))
    t_pool = time.perf_counter() - t
    if parallel != serial:
        raise SystemExit("mpi_pool.py: wrong CPU result")
    return t_serial / t_pool


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--chunk1", type=int, default=20000)
    ap.add_argument("--auto", type=int, default=200000)
    ap.add_argument("--cpu-tasks", type=int, default=16)
    a = ap.parse_args()
    with MPIPoolExecutor() as ex:
        workers = MPI.COMM_WORLD.Get_size() - 1  # rank 0 runs main(); mpi4py 3.1 has no num_workers
        list(ex.map(square, range(200)))  # every worker up
        # MPIPoolExecutor.map's own default chunksize is 1 (the chunk-1 row). The "default chunk" row uses the chunk
        # size ClusterPool picks by default (Python Pool's rule: four chunks per worker), so both send the same chunks.
        auto_chunk = max(1, -(-a.auto // (workers * 4)))
        print("CHUNK mpi-map-auto", auto_chunk, flush=True)
        rows = {}
        for name, fn in (("mpi-map-chunk1", lambda: timed_map(ex, a.chunk1, 1)),
                         ("mpi-map-auto", lambda: timed_map(ex, a.auto, auto_chunk))):
            fn()
            rows[name] = [fn() for _ in range(a.repeats)]
            n = a.chunk1 if name == "mpi-map-chunk1" else a.auto
            chunk = 1 if name == "mpi-map-chunk1" else auto_chunk
            print(f"map: mpi4py {name}: {n} items, chunk {chunk}: median "
                  f"{n / sorted(rows[name])[len(rows[name]) // 2] * 1e3:.2f} ms a map", flush=True)
        tasks = [calibrate(CPU_TASK_MS)] * a.cpu_tasks
        serial_ms = []
        speedup(ex, tasks, serial_ms)  # warm-up, as for the other rows
        serial_ms.clear()
        rows["mpi-cpu-speedup"] = [speedup(ex, tasks, serial_ms) for _ in range(a.repeats)]
        # What a task took in the timed runs: the calibration's best-of-five probe is only the aim.
        print(f"calibration: python cpu_task({tasks[0]}) in the timed serial runs: median "
              f"{sorted(serial_ms)[len(serial_ms) // 2]:.1f} ms a task", flush=True)
    for name, values in rows.items():
        print("RESULT", name, " ".join(f"{v:.6g}" for v in values), flush=True)
    print("WORKERS", workers, flush=True)


if __name__ == "__main__":
    main()
