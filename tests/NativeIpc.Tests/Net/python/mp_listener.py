"""A real multiprocessing Listener: prints 'READY <address>', accepts one connection, answers each message with
b'py:' + message until end of stream. Usage: mp_listener.py ADDRESS KEYHEX (tcp port 0 picks one).
Exit 3 and 'AUTHFAIL' on an authentication error."""
import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Listener

import address

with Listener(address.parse(sys.argv[1]), authkey=bytes.fromhex(sys.argv[2])) as listener:
    where = listener.address
    if isinstance(where, tuple):
        print('READY tcp:%s:%d' % where, flush=True)
    else:
        print('READY', sys.argv[1], flush=True)
    try:
        conn = listener.accept()
    except AuthenticationError as e:
        print('AUTHFAIL', e, flush=True)
        sys.exit(3)
    try:
        while True:
            conn.send_bytes(b'py:' + conn.recv_bytes())
    except EOFError:
        print('EOF', flush=True)
