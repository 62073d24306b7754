"""Task functions the Python RQ and Celery workers of the interop tests run, and the classes
that travel as their arguments and results (mapped in TypeScript by test/task-queues/models.ts)."""
import dataclasses


@dataclasses.dataclass
class Order:
    sku: str
    quantity: int
    price: float


@dataclasses.dataclass
class Receipt:
    sku: str
    total: float
    lines: list


def add(a, b=0):
    return a + b


def fail(message):
    raise ValueError(message)


def total(order):
    assert isinstance(order, Order), type(order)
    return Receipt(order.sku, order.quantity * order.price, [order.sku] * order.quantity)


def echo(*args, **kwargs):
    return (args, kwargs)


def noop():
    return None
