"""The Python side of the packed-package tests: a shop's classes, as a Python service has them."""


class Customer:
    def __init__(self, name, email):
        self.name = name
        self.email = email


class LineItem:
    def __init__(self, sku, price, size):
        self.sku = sku
        self.price = price  # a float, integral or not
        self.size = size    # a tuple


class Order:
    def __init__(self, order_id, customer, items):
        self.order_id = order_id
        self.customer = customer
        self.items = list(items)
        self.status = 'new'
        self.notes = {}


def sample_order():
    return Order(7, Customer('Ada', 'ada@example.com'),
                 [LineItem('pen', 1.5, (10, 2)), LineItem('box', 2.0, (30, 20))])
