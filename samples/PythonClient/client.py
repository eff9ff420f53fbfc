"""A plain CPython client for the C# service in Program.cs: multiprocessing.connection.Client with an authkey.
Usage: python3 client.py HOST PORT KEY"""
import sys
from multiprocessing.connection import Client

host, port, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
with Client((host, port), authkey=key) as conn:
    for n in (2, 3, 12):
        conn.send_bytes(str(n).encode())
        print(n, "squared is", conn.recv_bytes().decode())
    conn.send_bytes(b"bye")
