// `node examples/cluster`: N gateway nodes + load balancer + demo publisher + demo clients on loopback, with Redis.
// Options (flags or env): --nodes 3 (NODES), --clients 50 (CLIENTS), --rate 200 (RATE, messages/s), --port 8090 (PORT,
// the balancer; 0 = any free port), --node-port 0 (NODE_PORT: first node's port, the next ones follow; 0 = any), --redis redis://127.0.0.1:6379 (REDIS_URL), --rolling-restart (run one right away), --exit (stop
// after it; exit code 1 if anything was lost).
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { GatewayServer } from '@concord/gateway-server';
import { createRedisCluster } from '@concord/gateway-server/redis';
import { Cluster } from './Cluster.js';
import { DemoClients } from './DemoClients.js';
import { startPublisher } from './publisher.js';
import { type NodeRestart, rollingRestart } from './rollingRestart.js';
import { authenticate, demoDirectory } from './world.js';

const env = process.env;
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: env.NODES ?? '3' },
    clients: { type: 'string', default: env.CLIENTS ?? '50' },
    rate: { type: 'string', default: env.RATE ?? '200' },
    port: { type: 'string', default: env.PORT ?? '8090' },
    'node-port': { type: 'string', default: env.NODE_PORT ?? '0' },
    redis: { type: 'string', default: env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'rolling-restart': { type: 'boolean', default: false },
    exit: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => console.log(`[cluster] ${line}`);

/** A port setting: an integer 0..65535 (0 = any free port), or a one-line error and exit 1. */
function portOption(flag: string, variable: string, raw: string): number {
  const port = Number(raw);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  console.error(`[cluster] --${flag} / ${variable} must be a port from 0 to 65535 (0 = any free port), got "${raw}"`);
  process.exit(1);
}
const balancerPort = portOption('port', 'PORT', values.port);
const nodePort = portOption('node-port', 'NODE_PORT', values['node-port']);
const nodeCount = Number(values.nodes);
if (nodePort !== 0 && nodePort + nodeCount - 1 > 65535) {
  console.error(`[cluster] --node-port ${nodePort} leaves no room for ${nodeCount} nodes below 65536`);
  process.exit(1);
}

async function redisReachable(url: string): Promise<string | null> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(1500, () => done('timed out'));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error.message));
  });
}

const redisUrl = values.redis;
const unreachable = await redisReachable(redisUrl);
if (unreachable !== null) {
  console.error(
    `[cluster] Redis is not reachable at ${redisUrl} (${unreachable}).\n` +
      '[cluster] The cluster needs it (broker + shared resume store). Start it with: bash .ci/services/redis.sh start\n' +
      '[cluster] or point REDIS_URL / --redis at one.',
  );
  process.exit(1);
}

// One prefix per run: a restarted demo never resumes sessions of the previous one.
const prefix = `concord:cluster:${Date.now().toString(36)}:`;
let restarting: Promise<NodeRestart[]> | null = null;
let cluster: Cluster;
let clients: DemoClients;

const runRollingRestart = (out: (line: string) => void): Promise<NodeRestart[]> =>
  (restarting ??= rollingRestart(cluster, clients, out).finally(() => {
    restarting = null;
  }));

cluster = await Cluster.start({
  nodes: nodeCount,
  redisUrl,
  prefix,
  nodePort,
  balancer: {
    port: balancerPort,
    // Control endpoint on the balancer's port: POST /rolling-restart streams one line per node.
    onRequest(req, res) {
      if (req.method === 'POST' && req.url === '/rolling-restart') {
        if (restarting) {
          res.writeHead(409, { 'content-type': 'text/plain' }).end('a rolling restart is already running\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' });
        runRollingRestart((line) => {
          log(line);
          res.write(`${line}\n`);
        }).then(
          (results) => res.end(`${JSON.stringify({ lost: results.reduce((n, r) => n + r.lost + r.missing, 0) })}\n`),
          (error) => res.end(`${JSON.stringify({ error: String(error) })}\n`),
        );
        return;
      }
      if (req.method === 'GET' && req.url === '/status') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ nodes: cluster.nodes.map((n) => n.url), clients: clients.totals() }));
        return;
      }
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade Required (gateway: ws://this-host/)\n');
    },
  },
});
log(`${cluster.nodes.length} nodes: ${cluster.nodes.map((n) => `${n.name} ${n.url}`).join(', ')}`);
log(`balancer: ${cluster.balancer.url} (clients connect and resume here)`);

// The publisher is a gateway node too (the nodes' broker, same prefix, so its messages land in the topic histories),
// one that never listens: it holds no sessions, so it uses the broker only.
const publishRedis = await createRedisCluster({ redis: redisUrl, prefix });
const publishServer = new GatewayServer({ authenticate, directory: demoDirectory(), broker: publishRedis.broker });
clients = new DemoClients(cluster.balancer.url, Number(values.clients), 1, env.DEBUG_CLIENTS === '1');
await clients.connect();
const publisher = startPublisher(publishServer, Number(values.rate));
log(`${values.clients} clients ready; publishing ${values.rate} messages/s over 4 channels`);
// The port the balancer really got (with --port 0 it is not the one asked for).
const controlPort = new URL(cluster.balancer.url).port;
log(
  `rolling restart: npm run rolling-restart -w @concord/example-cluster -- --port ${controlPort} ` +
    `(or POST http://127.0.0.1:${controlPort}/rolling-restart)`,
);

const status = setInterval(() => {
  const t = clients.totals();
  log(
    `sent ${publisher.sent}, received ${t.received}, resumed ${t.resumed}, ` +
      `lost sessions ${t.lost}, missing ${t.missing}, duplicated ${t.duplicates}`,
  );
}, 5000);
status.unref();

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    clearInterval(status);
    publisher.stop();
    clients.destroy();
    await publishServer.close();
    await publishRedis.close();
    await cluster.close();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

if (values['rolling-restart']) {
  const results = await runRollingRestart(log);
  // Let the last messages arrive, then compare with what was sent.
  const last = publisher.stop();
  const caughtUp = await clients.waitCaughtUp(last, 5000);
  const t = clients.totals();
  const lost = t.lost;
  const ok = lost === 0 && t.missing === 0 && t.duplicates === 0 && caughtUp;
  log(
    `rolling restart done: ${results.reduce((n, r) => n + r.moved, 0)} sessions moved, ${lost} lost, ` +
      `${t.missing} messages missing, ${t.duplicates} duplicated, all clients caught up: ${caughtUp} → ${ok ? 'OK' : 'FAILED'}`,
  );
  if (values.exit) await stop(ok ? 0 : 1);
}
