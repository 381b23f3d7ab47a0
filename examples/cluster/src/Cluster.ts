import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DrainStats } from '@concord/gateway-server';
import { type LoadBalancer, type LoadBalancerOptions, startLoadBalancer } from '@concord/test-services';

export interface ClusterOptions {
  nodes: number;
  redisUrl: string;
  /** Key and channel prefix in Redis for this cluster. */
  prefix: string;
  /** The balancer's port (0 = ephemeral) and plain-HTTP handler. */
  balancer?: LoadBalancerOptions;
  /**
   * Port of the first node; node N listens on `nodePort + N - 1` (its replacement on the same port). Default 0: each
   * node on any free port.
   */
  nodePort?: number;
  /** Drain waves: size (count or `'10%'`) and pause between them. */
  drainWave?: string;
  drainIntervalMs?: number;
}

export interface GatewayNode {
  readonly name: string;
  readonly url: string;
  /** `host:port` as the balancer knows it. */
  readonly backend: string;
  readonly child: ChildProcess;
  /** Resolves with the node's drain report once it drained and exited. */
  readonly drained: Promise<DrainStats>;
}

const nodeEntry = fileURLToPath(new URL('./node.ts', import.meta.url));
const exampleRoot = fileURLToPath(new URL('..', import.meta.url));

/** N gateway nodes (child processes) behind one loopback balancer, sharing Redis (broker + resume store). */
export class Cluster {
  readonly balancer: LoadBalancer;
  readonly nodes: GatewayNode[] = [];
  readonly #options: ClusterOptions;

  private constructor(options: ClusterOptions, balancer: LoadBalancer) {
    this.#options = options;
    this.balancer = balancer;
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const balancer = await startLoadBalancer([], options.balancer);
    const cluster = new Cluster(options, balancer);
    try {
      const nodes = await Promise.all(Array.from({ length: options.nodes }, (_, i) => cluster.#spawn(i)));
      cluster.nodes.push(...nodes);
      balancer.setBackends(nodes.map((n) => n.backend));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /** The port node `index` (0-based) listens on: 0 (any) without `nodePort`. */
  #portOf(index: number): number {
    const base = this.#options.nodePort ?? 0;
    return base === 0 ? 0 : base + index;
  }

  #spawn(index: number): Promise<GatewayNode> {
    const o = this.#options;
    const name = `node-${index + 1}`;
    const child = spawn(process.execPath, ['--import', 'tsx', nodeEntry], {
      cwd: exampleRoot,
      env: {
        ...process.env,
        NODE_NAME: name,
        // Every node on a port of its own (PORT in this process's environment is the balancer's).
        PORT: String(this.#portOf(index)),
        REDIS_URL: o.redisUrl,
        PREFIX: o.prefix,
        RESUME_URL: this.balancer.url,
        DRAIN_WAVE: o.drainWave ?? '10%',
        DRAIN_INTERVAL_MS: String(o.drainIntervalMs ?? 200),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let onDrained: (stats: DrainStats) => void = () => undefined;
    let onFailed: (error: Error) => void = () => undefined;
    const drained = new Promise<DrainStats>((resolve, reject) => {
      onDrained = resolve;
      onFailed = reject;
    });
    drained.catch(() => undefined);
    return new Promise((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within 20 s`));
      }, 20_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let message: { listening?: string; drained?: DrainStats };
        try {
          message = JSON.parse(line);
        } catch {
          console.log(`[${name}] ${line}`);
          return;
        }
        if (message.listening && !started) {
          started = true;
          clearTimeout(timer);
          const url = message.listening;
          resolve({ name, url, backend: url.replace(/^ws:\/\//, ''), child, drained });
        } else if (message.drained) onDrained(message.drained);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const error = new Error(`${name} exited (${signal ?? code}) before ${started ? 'draining' : 'listening'}`);
        onFailed(error);
        if (!started) reject(error);
      });
    });
  }

  /**
   * Drains node `index` (SIGTERM, as an orchestrator would) and waits for it to exit, meanwhile starting its
   * replacement, which then goes behind the balancer. Resolves with the drain report.
   */
  async restart(index: number): Promise<{ name: string; stats: DrainStats; url: string }> {
    const old = this.nodes[index];
    if (!old) throw new RangeError(`no node ${index}`);
    // The balancer would skip it anyway (503), but not sending it new connections saves a round trip each.
    this.balancer.setBackends(this.nodes.filter((n) => n !== old).map((n) => n.backend));
    const exited = new Promise<void>((resolve) =>
      old.child.exitCode !== null ? resolve() : old.child.once('exit', () => resolve()),
    );
    old.child.kill('SIGTERM');
    // The replacement starts while the old node drains (starting a process is the slow part) and joins the balancer
    // once the old one is gone, so the drained sessions all resume on the other nodes.
    const gone = async (): Promise<DrainStats> => {
      const stats = await old.drained;
      await exited;
      return stats;
    };
    // On a fixed port the replacement can only listen once the old node has let go of it.
    const [stats, fresh] =
      this.#portOf(index) === 0
        ? await Promise.all([gone(), this.#spawn(index)])
        : await gone().then(async (drained) => [drained, await this.#spawn(index)] as const);
    this.nodes[index] = fresh;
    this.balancer.setBackends(this.nodes.map((n) => n.backend));
    return { name: old.name, stats, url: fresh.url };
  }

  /** Stops every node without draining (nothing left to move to) and the balancer. */
  async close(): Promise<void> {
    await Promise.all(
      this.nodes.splice(0).map(
        (n) =>
          new Promise<void>((resolve) => {
            if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
            n.child.once('exit', () => resolve());
            n.child.kill('SIGKILL');
          }),
      ),
    );
    await this.balancer.close();
  }
}
