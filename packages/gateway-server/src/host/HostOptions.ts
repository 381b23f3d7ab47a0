import { availableParallelism } from 'node:os';
import type { Broker } from '../Broker.js';

/** How a host runs its gateway: how many worker processes, where they listen, how they are joined. */
export interface GatewayHostOptions {
  /** The worker module: it calls `joinGatewayHost()` and builds its `GatewayServer` on what it returns. */
  exec: string;
  /** Node flags for the workers (e.g. `['--import', 'tsx']`, `--max-old-space-size`). Default: none. */
  execArgv?: string[];
  /** Arguments for the worker module. */
  args?: string[];
  /** Environment of the workers (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Worker processes (default: one per core, `os.availableParallelism()`). */
  workers?: number;
  /** The gateway port every worker shares (0 = one ephemeral port for all). */
  port?: number;
  host?: string;
  /**
   * How connections are spread: `round-robin` (default: the primary accepts and hands each socket to the next
   * worker, so workers stay even) or `os` (every worker accepts on the shared socket and the kernel picks; cheaper
   * for the primary, uneven under bursts).
   */
  scheduling?: 'round-robin' | 'os';
  /**
   * Worker `k` also listens on `resumePortBase + k` on its own and names that port in READY's `resume_gateway_url`,
   * so a Resume reaches the worker that holds the session (as Discord routes resumes to a node). Without it a Resume
   * lands on any worker; one that does not hold the session answers it as another node would (op 9, or a claim
   * from the resume store when there is one). 0: each worker takes an ephemeral port of its own.
   */
  resumePortBase?: number;
  /** Host name put in `resume_gateway_url` (default: `host`, or 127.0.0.1 when that is a wildcard). */
  publicHost?: string;
  /**
   * The fleet broker (Redis, NATS) when the host is one of several: the primary alone subscribes to it, once per
   * topic any worker listens to, and relays to those workers; workers publish through the primary.
   */
  fleet?: Broker;
  /** Start worker 0 and wait for it before forking the others (it may seed a shared database). Default false. */
  firstWorkerAlone?: boolean;
  /** Restart a worker that exits unasked (default true); its sessions reconnect and identify or resume. */
  restart?: boolean;
  /** A worker must report ready within this many ms (default 30 s), else start fails. */
  startTimeoutMs?: number;
  /** Per peer link: message bytes queued before further messages are dropped and counted (default 32 MiB). */
  maxLinkBufferedBytes?: number;
  /** Largest frame a process accepts from a peer (default 64 MiB); past it the link is cut. */
  maxFrameBytes?: number;
}

/** Defaults of {@link GatewayHostOptions}, in one place. `workers` defaults to `os.availableParallelism()`. */
export const defaultHostOptions = {
  port: 0,
  host: '127.0.0.1',
  scheduling: 'round-robin',
  restart: true,
  startTimeoutMs: 30_000,
  maxLinkBufferedBytes: 32 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  /** First delay before restarting a crashed worker; doubled per crash within a minute, up to `restartMaxDelayMs`. */
  restartDelayMs: 100,
  restartMaxDelayMs: 5_000,
} as const satisfies Partial<GatewayHostOptions> & Record<string, unknown>;

export const defaultWorkerCount = (): number => availableParallelism();
