// npm run bench:stream: 100 000 small typed messages (a dataclass) sent by python3 over a local
// TCP socket, read by readPickles on one side and by Python's pickle.load on
// socket.makefile('rb') on the other; the same bytes both times. Prints each time and the ratio
// (ours / Python's: below 1.0 means readPickles is faster). Not part of npm test.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { readPickles, registerClass } from '../src/index.js';

const COUNT = 100_000;
const PYTHON = process.env.PYTHON ?? 'python3';

class Trade {
  id = 0;
  symbol = '';
  price = 0;
  quantity = 0;
}
registerClass(Trade, { module: 'bench', name: 'Trade', model: 'dataclass', fields: { id: { type: 'int' }, symbol: { type: 'str' }, price: { type: 'float' }, quantity: { type: 'int' } } });

const PRELUDE = `
import pickle, socket, sys, time, dataclasses, types
bench = types.ModuleType('bench'); sys.modules['bench'] = bench
@dataclasses.dataclass
class Trade:
    id: int
    symbol: str
    price: float
    quantity: int
Trade.__module__ = 'bench'; bench.Trade = Trade
`;

/** Python sends COUNT pickles (one pickle.dump each, protocol 4) to the port. */
function pythonSender(port: number) {
  return spawn(PYTHON, ['-c', `${PRELUDE}
s = socket.create_connection(('127.0.0.1', ${port}))
f = s.makefile('wb', buffering=1 << 16)
for i in range(${COUNT}):
    pickle.dump(Trade(i, 'SYM%d' % (i % 500), 100.0 + i / 7, i % 1000), f, protocol=4)
f.close(); s.close()
`], { stdio: ['ignore', 'inherit', 'inherit'] });
}

async function timeReadPickles(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const connection = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const sender = pythonSender((server.address() as AddressInfo).port);
  const exited = new Promise((resolve) => sender.once('exit', resolve));
  const socket = await connection;
  const start = performance.now();
  let count = 0;
  for await (const value of readPickles(socket)) {
    if (!(value instanceof Trade)) throw new Error('not a Trade');
    count++;
  }
  const elapsed = performance.now() - start;
  server.close();
  await exited;
  if (count !== COUNT) throw new Error(`read ${count} of ${COUNT}`);
  return elapsed;
}

/** Python receives what a Python sender writes, with pickle.load on socket.makefile('rb'). */
function timePythonLoad(): Promise<number> {
  const receiver = spawn(PYTHON, ['-c', `${PRELUDE}
import subprocess
srv = socket.create_server(('127.0.0.1', 0))
port = srv.getsockname()[1]
sender = subprocess.Popen([sys.executable, '-c', sys.argv[1].replace('PORT', str(port))])
conn, _ = srv.accept()
f = conn.makefile('rb')
start = time.perf_counter()
n = 0
while True:
    try: v = pickle.load(f)
    except EOFError: break
    n += 1
elapsed = time.perf_counter() - start
sender.wait()
assert n == ${COUNT}, n
print(elapsed * 1000)
`, `${PRELUDE}
s = socket.create_connection(('127.0.0.1', PORT))
f = s.makefile('wb', buffering=1 << 16)
for i in range(${COUNT}):
    pickle.dump(Trade(i, 'SYM%d' % (i % 500), 100.0 + i / 7, i % 1000), f, protocol=4)
f.close(); s.close()
`]);
  let out = '';
  receiver.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  receiver.stderr.pipe(process.stderr);
  return new Promise((resolve, reject) =>
    receiver.once('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`python exited ${code}`)))),
  );
}

const ours: number[] = [];
const theirs: number[] = [];
for (let round = 0; round < 3; round++) {
  ours.push(await timeReadPickles());
  theirs.push(await timePythonLoad());
}
const best = (times: number[]) => Math.min(...times);
console.log(`${COUNT} dataclass messages over a local TCP socket (best of 3)`);
console.log(`readPickles:                     ${best(ours).toFixed(1)} ms`);
console.log(`Python pickle.load(makefile):    ${best(theirs).toFixed(1)} ms`);
console.log(`ratio (ours / Python):           ${(best(ours) / best(theirs)).toFixed(2)}`);
