// npm run bench:rq: the same trivial jobs (`tasks.add(i, 1)`, enqueued by Python's RQ) run by a
// TypeScript RqWorker and by Python's RQ workers, on one private redis-server, in burst mode:
// RQ's default Worker (a forked work horse per job, as `rq worker` runs), its SimpleWorker (jobs
// in the worker's own process), and ours. Each side is timed from its first dequeue to the empty
// queue, inside its own process; three rounds, medians with ranges. Not part of npm test.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RqWorker } from '../src/node/rq/index.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

const JOBS = Number(process.env.RQ_BENCH_JOBS ?? 2000);
const ROUNDS = Number(process.env.RQ_BENCH_ROUNDS ?? 3);
const PYTHON = process.env.PYTHON_TASK_QUEUES ?? '/usr/bin/python3';
const TASKS_DIR = fileURLToPath(new URL('../test/task-queues/', import.meta.url));

function python(source: string, redisUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', source], { cwd: TASKS_DIR, env: { ...process.env, PYTHONPATH: TASKS_DIR, REDIS_URL: redisUrl } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python failed: ${err}`))));
  });
}

/** Python's Queue.enqueue, JOBS times (the producer is not what is timed). */
function enqueue(redisUrl: string, queue: string): Promise<string> {
  return python(
    `
from redis import Redis
from rq import Queue
import tasks
c = Redis.from_url('${redisUrl}')
q = Queue('${queue}', connection=c)
for i in range(${JOBS}):
    q.enqueue(tasks.add, i, 1)
`,
    redisUrl,
  );
}

/** Seconds a Python worker class takes to empty the queue (burst), timed inside Python. */
async function timePython(redisUrl: string, queue: string, workerClass: 'Worker' | 'SimpleWorker'): Promise<number> {
  await enqueue(redisUrl, queue);
  const out = await python(
    `
import logging, time
logging.disable(logging.CRITICAL)
from redis import Redis
from rq import Queue
from rq.worker import ${workerClass}
c = Redis.from_url('${redisUrl}')
q = Queue('${queue}', connection=c)
w = ${workerClass}([q], connection=c)
start = time.perf_counter()
w.work(burst=True, logging_level='CRITICAL')
elapsed = time.perf_counter() - start
assert len(q.finished_job_registry) == ${JOBS}, len(q.finished_job_registry)
print(elapsed)
`,
    redisUrl,
  );
  return Number(out.trim());
}

async function timeTypeScript(redisUrl: string, queue: string): Promise<number> {
  await enqueue(redisUrl, queue);
  const worker = new RqWorker(queue, { connection: redisUrl });
  worker.register('tasks.add', (a: number, b: number) => a + b);
  const start = performance.now();
  const summary = await worker.work({ burst: true });
  const elapsed = (performance.now() - start) / 1000;
  await worker.stop();
  if (summary.succeeded !== JOBS) throw new Error(`the TypeScript worker ran ${summary.succeeded} of ${JOBS} jobs`);
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[]) => `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

const redis = await startRedisServer();
try {
  const times = { typescript: [] as number[], simple: [] as number[], forking: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    times.typescript.push(await timeTypeScript(redis.url, `ts-${round}`));
    times.simple.push(await timePython(redis.url, `simple-${round}`, 'SimpleWorker'));
    times.forking.push(await timePython(redis.url, `fork-${round}`, 'Worker'));
  }
  const rate = (seconds: number) => Math.round(JOBS / seconds);
  console.log(`${JOBS} trivial jobs (tasks.add), burst, ${ROUNDS} rounds: jobs per second (median) and our time over theirs (median, range)`);
  console.log(`  TypeScript RqWorker        ${String(rate(median(times.typescript))).padStart(7)} jobs/s`);
  for (const [label, key] of [['Python RQ SimpleWorker', 'simple'], ['Python RQ Worker (fork)', 'forking']] as const) {
    const ratios = times.typescript.map((t, i) => t / times[key][i]!);
    console.log(`  ${label.padEnd(26)} ${String(rate(median(times[key]))).padStart(7)} jobs/s   ours/theirs ${median(ratios).toFixed(2)}x (${range(ratios)})`);
  }
} finally {
  await redis.stop();
}
