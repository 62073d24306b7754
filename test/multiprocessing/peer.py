# A Python multiprocessing.connection peer for the interop tests, with the interpreter's own
# Listener and Client. It reports on stdout, one JSON object per line: where it listens, the
# challenges it sent and received (so a test sees which handshake form was used), what it got.
#   peer.py listen|connect ADDRESS_JSON AUTHKEY_HEX|- [native|emulate312] [SCENARIO]
# emulate312 swaps in the CPython 3.12 handshake (written below) on an older interpreter, so the
# new form is tested where no 3.12 is installed.
import hmac, json, os, struct, sys
import multiprocessing.connection as mpc

sys.path.insert(0, os.path.dirname(__file__))
import mpmodels

role, address, authkey = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
handshake = sys.argv[4] if len(sys.argv) > 4 else 'native'
scenario = sys.argv[5] if len(sys.argv) > 5 else 'echo'
address = tuple(address) if isinstance(address, list) else address
authkey = None if authkey == '-' else bytes.fromhex(authkey)


def report(**event):
    print(json.dumps(event), flush=True)


def challenge_form(message):
    body = message[len(b'#CHALLENGE#'):]
    return 'sha256' if body.startswith(b'{sha256}') else 'md5' if len(body) == 20 else repr(body[:10])


# Note the challenges each way.
send_bytes, recv_bytes = mpc.Connection.send_bytes, mpc.Connection.recv_bytes
def logged_send(self, buf, *args):
    if bytes(buf).startswith(b'#CHALLENGE#'):
        report(event='challenge-sent', form=challenge_form(bytes(buf)))
    return send_bytes(self, buf, *args)
def logged_recv(self, *args):
    buf = recv_bytes(self, *args)
    if buf.startswith(b'#CHALLENGE#'):
        report(event='challenge-received', form=challenge_form(buf))
    return buf
mpc.Connection.send_bytes, mpc.Connection.recv_bytes = logged_send, logged_recv

if handshake == 'emulate312':
    # CPython 3.12's deliver_challenge/answer_challenge, reduced to the sha256 and md5 digests.
    def deliver_challenge(connection, authkey):
        message = b'{sha256}' + os.urandom(40)
        connection.send_bytes(b'#CHALLENGE#' + message)
        response = connection.recv_bytes(256)
        if len(response) == 16:
            expected, mac = hmac.new(authkey, message, 'md5').digest(), response
        elif response.startswith(b'{sha256}'):
            expected, mac = hmac.new(authkey, message, 'sha256').digest(), response[8:]
        else:
            connection.send_bytes(b'#FAILURE#')
            raise mpc.AuthenticationError('unsupported response')
        if not hmac.compare_digest(expected, mac):
            connection.send_bytes(b'#FAILURE#')
            raise mpc.AuthenticationError('digest received was wrong')
        connection.send_bytes(b'#WELCOME#')

    def answer_challenge(connection, authkey):
        message = connection.recv_bytes(256)
        assert message.startswith(b'#CHALLENGE#'), message
        message = message[len(b'#CHALLENGE#'):]
        if len(message) == 20:
            response = hmac.new(authkey, message, 'md5').digest()
        else:
            assert message.startswith(b'{sha256}'), message
            response = b'{sha256}' + hmac.new(authkey, message, 'sha256').digest()
        connection.send_bytes(response)
        if connection.recv_bytes(256) != b'#WELCOME#':
            raise mpc.AuthenticationError('digest sent was rejected')

    mpc.deliver_challenge, mpc.answer_challenge = deliver_challenge, answer_challenge


def describe(value):
    if isinstance(value, mpmodels.Order):
        return {'order': value.order_id, 'status': value.status,
                'items': [(type(i).__name__, i.sku, i.quantity, i.price, type(i.price).__name__) for i in value.items]}
    return {'type': type(value).__name__, 'repr': repr(value)}


def serve(conn):
    """Answers each object: an Order comes back confirmed with an item more; others described."""
    while True:
        value = conn.recv()
        report(event='received', value=describe(value))
        if value == 'bye':
            return
        if value == 'raw-next':
            conn.send_bytes(bytes(reversed(conn.recv_bytes())))
        elif isinstance(value, mpmodels.Order):
            value.status = 'confirmed'
            value.items.append(mpmodels.LineItem('gift-wrap', 1, 2.5))
            conn.send(value)
        else:
            conn.send(('echo', value))


def run_scenario(conn):
    if scenario == 'echo':
        serve(conn)
    elif scenario == 'truncate':
        conn._send(struct.pack('!i', 100) + b'only ten..')
    elif scenario == 'oversized':
        conn._send(struct.pack('!i', 1 << 30) + b'0123456789')
        conn.recv()  # held open until the other side gives up
    elif scenario == 'long-form':
        payload = __import__('pickle').dumps(('long form', 7), protocol=4)
        conn._send(struct.pack('!i', -1) + struct.pack('!Q', len(payload)) + payload)
        serve(conn)
    elif scenario == 'client-sends':
        conn.send(mpmodels.Order(7, [mpmodels.LineItem('pen', 2, 1.5)]))
        report(event='reply', value=describe(conn.recv()))
        conn.send('raw-next')
        conn.send_bytes(b'abc')
        report(event='reply-bytes', value=conn.recv_bytes().decode())
        conn.send('bye')


try:
    if role == 'listen':
        with mpc.Listener(address, authkey=authkey) as listener:
            where = listener.address
            report(event='listening', address=list(where) if isinstance(where, tuple) else where)
            with listener.accept() as conn:
                report(event='accepted')
                run_scenario(conn)
    else:
        with mpc.Client(address, authkey=authkey) as conn:
            report(event='connected')
            run_scenario(conn)
except (mpc.AuthenticationError, EOFError, OSError) as error:
    report(event='error', type=type(error).__name__, message=str(error))
    sys.exit(3)
report(event='done')
