"""A Python service enqueueing jobs with RQ, and waiting for what the TypeScript worker returns."""
import os
import sys
import time

from redis import Redis
from rq import Queue

import billing

queue = Queue('billing', connection=Redis.from_url(os.environ['REDIS_URL']))
jobs = [
    queue.enqueue(billing.invoice_total, billing.Invoice(1001, 'Acme', [120.0, 30.5])),
    queue.enqueue(billing.invoice_total, billing.Invoice(1002, 'Globex', [99.99], vat_rate=0.07)),
    queue.enqueue(billing.invoice_total, billing.Invoice(1003, 'Initech', [])),
]
deadline = time.time() + 30
while any(job.get_status(refresh=True) not in ('finished', 'failed') for job in jobs):
    if time.time() > deadline:
        sys.exit('python: no answer from the worker')
    time.sleep(0.05)
for job in jobs:
    result = job.latest_result()
    if job.get_status() == 'finished':
        total = job.return_value()
        print(f'python: invoice {total.number}: net {total.net:.2f} + vat {total.vat:.2f} = {total.gross:.2f} ({type(total).__name__})')
    else:
        print(f'python: job {job.id} failed: {result.exc_string.strip().splitlines()[-1]}')
