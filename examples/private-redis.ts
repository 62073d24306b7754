// For the queue examples: the Redis at REDIS_URL, or a private redis-server started on a free
// port (no persistence) and stopped when the example ends; and a python3 that has rq and celery.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Redis {
  url: string;
  stop(): Promise<void>;
}

export async function privateRedis(): Promise<Redis> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let ready = false; !ready; ) {
    ready = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined));
      socket.on('error', () => setTimeout(() => resolve(false), 50));
    });
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      server.kill();
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** $PYTHON, or the first python3 that imports `module` (Debian's python3-rq is under /usr/bin). */
export function pythonWith(module: string): string {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
  return candidates.find((python) => spawnSync(python, ['-c', `import ${module}`]).status === 0) ?? 'python3';
}
