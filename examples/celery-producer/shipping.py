"""A Python Celery service quoting shipping prices: Redis broker and result backend (REDIS_URL),
the pickle serializer, dataclasses as arguments and results."""
import dataclasses
import os

from celery import Celery

app = Celery('shipping', broker=os.environ['REDIS_URL'], backend=os.environ['REDIS_URL'])
app.conf.update(
    task_serializer='pickle',
    result_serializer='pickle',
    accept_content=['pickle'],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@dataclasses.dataclass
class Parcel:
    destination: str
    weight_kg: float
    express: bool = False


@dataclasses.dataclass
class Quote:
    destination: str
    price: float
    days: int


RATES = {'FR': (4.0, 2), 'JP': (19.5, 6), 'US': (12.0, 4)}


@app.task(name='shipping.quote')
def quote(parcel):
    if parcel.weight_kg > 30:
        raise ValueError(f'{parcel.weight_kg} kg is over the 30 kg limit')
    base, days = RATES[parcel.destination]
    price = base + 1.5 * parcel.weight_kg
    if parcel.express:
        price, days = price * 2, max(1, days // 2)
    return Quote(parcel.destination, round(price, 2), days)
