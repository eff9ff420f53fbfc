"""The Listener/Client and remote-manager rows of bench/Compare (see README.md): multiprocessing.connection's
Listener in this process, a spawned child that connects with Client(address, authkey); and a BaseManager
serving a dict on 127.0.0.1, reached over TCP."""
import multiprocessing as mp
import struct
import time
from multiprocessing.connection import Client, Listener
from multiprocessing.managers import BaseManager, DictProxy

CTX = mp.get_context("spawn")
KEY = b"compare-bench-key"

DEFAULT_COUNTS = {
    "net-tcp-rtt": (20_000, 2_000),
    "net-unix-rtt": (20_000, 2_000),
    "net-tcp-oneway-1MiB": (200, 20),
    "manager-remote-dict-ops": (20_000, 2_000),
}


def _check(cond, what):
    if not cond:
        raise RuntimeError("verification failed: " + what)


def net_echo(address, n):
    c = Client(address, authkey=KEY)
    for _ in range(n):
        c.send_bytes(c.recv_bytes())
    c.close()


def net_sender(address, n, size):
    c = Client(address, authkey=KEY)
    msg = bytearray(size)
    c.send_bytes(b"")
    for i in range(n):
        struct.pack_into("<q", msg, 0, i)
        c.send_bytes(msg)
    c.close()


def _address(family):
    return ("127.0.0.1", 0) if family == "tcp" else "\0nipc-compare-py-%d-%d" % (time.monotonic_ns(), id(family))


def run_net_rtt(n, family):
    with Listener(_address(family), authkey=KEY) as listener:
        p = CTX.Process(target=net_echo, args=(listener.address, n))
        p.start()
        conn = listener.accept()
        rtts = []
        msg = bytearray(8)
        for i in range(n):
            struct.pack_into("<q", msg, 0, i)
            t0 = time.perf_counter()
            conn.send_bytes(msg)
            r = conn.recv_bytes()
            rtts.append(time.perf_counter() - t0)
            _check(struct.unpack_from("<q", r)[0] == i, "echo mismatch")
        p.join()
        conn.close()
    rtts.sort()
    return rtts[len(rtts) // 2] * 1e6


def run_net_oneway(n, size):
    with Listener(_address("tcp"), authkey=KEY) as listener:
        p = CTX.Process(target=net_sender, args=(listener.address, n, size))
        p.start()
        conn = listener.accept()
        _check(conn.recv_bytes() == b"", "no ready message")
        t0 = time.perf_counter()
        total = nbytes = 0
        for _ in range(n):
            m = conn.recv_bytes()
            nbytes += len(m)
            total += struct.unpack_from("<q", m)[0]
        dt = time.perf_counter() - t0
        p.join()
        conn.close()
    _check(nbytes == n * size and total == n * (n - 1) // 2, "bytes or index sum wrong")
    return nbytes / dt / 1e6


_shared = {}


def get_dict():
    return _shared


class DictManager(BaseManager):
    pass


DictManager.register("get_dict", callable=get_dict, proxytype=DictProxy)
_servers = []


def run_remote_manager_dict(n):
    if not _servers:
        m = DictManager(address=("127.0.0.1", 0), authkey=KEY, ctx=CTX)
        m.start()
        _servers.append(m)
    return dict_ops(_servers[0].get_dict(), n)


def dict_ops(d, n):
    """manager-dict-ops' timed part (also the remote row's): n sets d[i % 100] = i, then n gets; ops/s of both."""
    t0 = time.perf_counter()
    for i in range(n):
        d[i % 100] = i
    s = 0
    for i in range(n):
        s += d[i % 100]
    dt = time.perf_counter() - t0
    last = {i % 100: i for i in range(n)}
    _check(s == sum(last[i % 100] for i in range(n)), "wrong values read back")
    return 2 * n / dt


def shutdown():
    for m in _servers:
        m.shutdown()


WORKLOADS = {
    "net-tcp-rtt": ("µs", lambda n: run_net_rtt(n, "tcp")),
    "net-unix-rtt": ("µs", lambda n: run_net_rtt(n, "unix")),
    "net-tcp-oneway-1MiB": ("MB/s", lambda n: run_net_oneway(n, 1 << 20)),
    "manager-remote-dict-ops": ("ops/s", run_remote_manager_dict),
}
