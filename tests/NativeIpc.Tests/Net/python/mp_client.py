"""A real multiprocessing Client: connects, sends one message, echoes one back reversed, waits for end of stream.
Usage: mp_client.py ADDRESS KEYHEX. Exit 3 and 'AUTHFAIL' on an authentication error."""
import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client

import address

try:
    conn = Client(address.parse(sys.argv[1]), authkey=bytes.fromhex(sys.argv[2]))
except AuthenticationError as e:
    print('AUTHFAIL', e, flush=True)
    sys.exit(3)
conn.send_bytes(b'hello from python')
msg = conn.recv_bytes()
conn.send_bytes(msg[::-1])
big = conn.recv_bytes()
conn.send_bytes(b'%d:%d' % (len(big), sum(big) % 251))
try:
    conn.recv_bytes()
    sys.exit(4)
except EOFError:
    print('EOF', flush=True)
conn.close()
