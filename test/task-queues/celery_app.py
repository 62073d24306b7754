"""The Celery app of the interop tests: Redis broker and result backend from REDIS_URL, the pickle
serializer, and the functions of tasks.py registered under their module-qualified names."""
import os

from celery import Celery

import tasks

app = Celery('tasks', broker=os.environ['REDIS_URL'], backend=os.environ['REDIS_URL'])
app.conf.update(
    task_serializer='pickle',
    result_serializer='pickle',
    accept_content=['pickle', 'json'],
    broker_connection_retry_on_startup=True,
)

add = app.task(name='tasks.add')(tasks.add)
fail = app.task(name='tasks.fail')(tasks.fail)
total = app.task(name='tasks.total')(tasks.total)
echo = app.task(name='tasks.echo')(tasks.echo)
noop = app.task(name='tasks.noop')(tasks.noop)
