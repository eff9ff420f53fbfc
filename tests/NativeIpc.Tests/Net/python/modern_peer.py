"""CPython 3.12's '{digest}' handshake spoken by hand over a raw socket (for machines with Python <= 3.11), with
the framing of Connection._send_bytes. Usage: modern_peer.py client|server ADDRESS KEYHEX.
client: connects, answers then delivers, sends b'modern', prints the reply. server: prints READY, accepts one,
delivers then answers, echoes one message with b'py:' in front. 'AUTHFAIL' and exit 3 on a failed handshake."""
import hmac
import os
import socket
import struct
import sys

import address

CHALLENGE, WELCOME, FAILURE = b'#CHALLENGE#', b'#WELCOME#', b'#FAILURE#'


def send(sock, data):
    sock.sendall(struct.pack('!i', len(data)) + data)


def recv_exact(sock, n):
    out = b''
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


def recv(sock, maxsize=None):
    size, = struct.unpack('!i', recv_exact(sock, 4))
    if size == -1:
        size, = struct.unpack('!Q', recv_exact(sock, 8))
    if maxsize is not None and size > maxsize:
        raise OSError('bad message length')
    return recv_exact(sock, size)


def deliver(sock, key):
    message = b'{sha256}' + os.urandom(40)
    send(sock, CHALLENGE + message)
    response = recv(sock, 256)
    expected = b'{sha256}' + hmac.new(key, message, 'sha256').digest()
    if not hmac.compare_digest(expected, response):
        send(sock, FAILURE)
        raise PermissionError('digest received was wrong: %r' % response[:10])
    send(sock, WELCOME)


def answer(sock, key):
    message = recv(sock, 256)
    assert message.startswith(CHALLENGE), message
    message = message[len(CHALLENGE):]
    assert message.startswith(b'{sha256}'), 'expected a modern challenge, got %r' % message[:10]
    send(sock, b'{sha256}' + hmac.new(key, message, 'sha256').digest())
    if recv(sock, 256) != WELCOME:
        raise PermissionError('digest sent was rejected')


def family(addr):
    return socket.AF_INET if isinstance(addr, tuple) else socket.AF_UNIX


role, addr, key = sys.argv[1], address.parse(sys.argv[2]), bytes.fromhex(sys.argv[3])
try:
    if role == 'client':
        sock = socket.socket(family(addr))
        sock.connect(addr)
        answer(sock, key)
        deliver(sock, key)
        send(sock, b'modern')
        print('REPLY', recv(sock).decode(), flush=True)
    else:
        server = socket.socket(family(addr))
        server.bind(addr)
        server.listen(1)
        where = server.getsockname()
        print('READY tcp:%s:%d' % where if isinstance(where, tuple) else 'READY ' + sys.argv[2], flush=True)
        sock, _ = server.accept()
        deliver(sock, key)
        answer(sock, key)
        send(sock, b'py:' + recv(sock))
        try:
            recv(sock)
        except EOFError:
            print('EOF', flush=True)
except PermissionError as e:
    print('AUTHFAIL', e, flush=True)
    sys.exit(3)
