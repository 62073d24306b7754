# A Python stock service on multiprocessing.connection's Listener: it answers each StockQuery
# with a StockLevel, turns away a client with the wrong authkey, and stops at 'bye'.
from dataclasses import dataclass
from multiprocessing.connection import AuthenticationError, Listener


@dataclass
class StockQuery:
    sku: str
    quantity: int


@dataclass
class StockLevel:
    sku: str
    on_hand: int
    reserved: bool
    unit_price: float


STOCK = {'notebook': (40, 12.0), 'pen': (3, 1.5)}

with Listener(('127.0.0.1', 0), authkey=b'warehouse-secret') as listener:
    print(listener.address[1], flush=True)  # the port, for the client
    while True:
        try:
            conn = listener.accept()
            break
        except AuthenticationError as error:
            print(f'python: turned a client away ({error})', flush=True)
    with conn:
        while (query := conn.recv()) != 'bye':
            on_hand, price = STOCK.get(query.sku, (0, 0.0))
            conn.send(StockLevel(query.sku, on_hand, on_hand >= query.quantity, price))
print('python: done', flush=True)
