// What the RQ and Celery interop tests need: a redis-server, and a python3 with rq, celery and
// redis-py (Debian's python3-rq, python3-celery under /usr/bin/python3; PYTHON_TASK_QUEUES
// overrides it). Under CI=true a missing one fails the tests, never skips them. Python runs
// asynchronously here: a TypeScript worker in this process must keep serving while it waits.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { hasRedisServer } from './redis-server.js';
import { PYTHON_LEFT_OUT } from './python.js';

export const TASK_QUEUE_PYTHON = process.env.PYTHON_TASK_QUEUES ?? '/usr/bin/python3';
/** The folder of tasks.py and celery_app.py, the Python side's import path. */
export const TASKS_DIR = fileURLToPath(new URL('../task-queues/', import.meta.url));

function missing(): string | undefined {
  if (PYTHON_LEFT_OUT) return 'python3 left out (npm run test:quick)';
  if (!hasRedisServer()) return 'redis-server not found (apt-get install redis-server)';
  const probe = spawnSync(TASK_QUEUE_PYTHON, ['-c', 'import rq, celery, redis'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${TASK_QUEUE_PYTHON} lacks rq, celery or redis (apt-get install python3-rq python3-celery python3-redis)`;
  return undefined;
}

/** `describe` for tests that need Redis and Python's rq and celery. */
export function describeWithTaskQueues(name: string, body: () => void): void {
  const reason = missing();
  if (reason === undefined) describe(name, body);
  else if (process.env.CI === 'true' && !PYTHON_LEFT_OUT) {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`${reason} (required under CI=true)`);
      });
    });
  } else describe.skip(`${name} (${reason})`, body);
}

function pythonEnv(redisUrl: string): NodeJS.ProcessEnv {
  return { ...process.env, REDIS_URL: redisUrl, C_FORCE_ROOT: '1', PYTHONPATH: TASKS_DIR, PYTHONHASHSEED: '0' };
}

/** Runs Python source with the tasks importable; resolves to its stdout, rejects on failure. */
export function runTaskPython(source: string, redisUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(TASK_QUEUE_PYTHON, ['-c', source], { cwd: TASKS_DIR, env: pythonEnv(redisUrl) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`python failed (${code}):\n${stderr}`))));
  });
}

/** Runs `rq worker --burst` over the queues until they are empty. */
export function runRqWorkerBurst(redisUrl: string, queues: string[] = ['default']): Promise<string> {
  return runTaskPython(
    `import sys; from rq.cli import main; sys.argv = ['rq', 'worker', '--burst', '--url', '${redisUrl}', ${queues.map((q) => `'${q}'`).join(', ')}]; main()`,
    redisUrl,
  );
}

/** A Python Celery worker (solo pool) on the given queues, until stopped. */
export class PythonCeleryWorker {
  private readonly child: ChildProcess;
  private output = '';
  private readonly closed: Promise<number | null>;

  constructor(redisUrl: string, queues: string[] = ['celery']) {
    this.child = spawn(
      TASK_QUEUE_PYTHON,
      ['-m', 'celery', '-A', 'celery_app', 'worker', '--pool=solo', '-Q', queues.join(','), '--loglevel=WARNING', '--without-heartbeat', '--without-gossip', '--without-mingle'],
      { cwd: TASKS_DIR, env: pythonEnv(redisUrl) },
    );
    this.child.stdout!.on('data', (chunk) => (this.output += chunk));
    this.child.stderr!.on('data', (chunk) => (this.output += chunk));
    this.closed = new Promise((resolve) => this.child.on('close', resolve));
  }

  get log(): string {
    return this.output;
  }

  /** Stops it (warm shutdown: the task it runs finishes and is acknowledged first). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.closed;
  }
}
