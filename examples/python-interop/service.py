"""A Python service: reads pickled Orders from stdin, answers with pickled (Order, Receipt) pairs.

Each message is a 4-byte big-endian length followed by a pickle. It runs until stdin closes.
"""
import pickle
import struct
import sys

import shop


def read_message(stream):
    header = stream.read(4)
    if len(header) < 4:
        return None
    (length,) = struct.unpack('>I', header)
    return stream.read(length)


def write_message(stream, payload):
    stream.write(struct.pack('>I', len(payload)) + payload)
    stream.flush()


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while (message := read_message(stdin)) is not None:
        order = pickle.loads(message)
        # The TypeScript side sent a real shop.Order, with real shop.LineItem objects inside.
        assert type(order) is shop.Order, type(order)
        assert all(type(item) is shop.LineItem for item in order.items)
        assert all(type(item.price) is float for item in order.items), 'prices arrive as floats'
        assert type(order.tags) is tuple
        print(f'python: got {order!r:.40} with {len(order.items)} items for {order.customer.name}', file=sys.stderr)
        order.items.append(shop.LineItem('gift-wrap', 2.5))
        order.status = 'confirmed'
        receipt = shop.Receipt(order.order_id, order.total(), len(order.items), ['thank you'])
        write_message(stdout, pickle.dumps((order, receipt), protocol=5))


if __name__ == '__main__':
    main()
