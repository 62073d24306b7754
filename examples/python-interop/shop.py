"""The Python side's own classes: what a Python service would have in its codebase."""
from dataclasses import dataclass, field


class Customer:
    def __init__(self, name, email):
        self.name = name
        self.email = email


class LineItem:
    def __init__(self, sku, price, quantity=1):
        self.sku = sku
        self.price = price
        self.quantity = quantity


class Order:
    def __init__(self, order_id, customer, items=(), tags=()):
        self.order_id = order_id
        self.customer = customer
        self.items = list(items)
        self.tags = tuple(tags)
        self.status = 'new'

    def total(self):
        return sum(item.price * item.quantity for item in self.items)


@dataclass
class Receipt:
    order_id: int
    total: float
    lines: int
    notes: list = field(default_factory=list)
