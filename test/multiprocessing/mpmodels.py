# Classes that travel over multiprocessing connections in the tests (mapped in TypeScript).
class LineItem:
    def __init__(self, sku, quantity, price):
        self.sku, self.quantity, self.price = sku, quantity, price


class Order:
    def __init__(self, order_id, items, status='new'):
        self.order_id, self.items, self.status = order_id, items, status
