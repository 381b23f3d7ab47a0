import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Broker } from '../Broker.js';
import { FleetRelay } from './FleetRelay.js';
import { HostBroker, type HostPeer } from './HostBroker.js';
import { HostError } from './HostError.js';
import { defaultHostOptions as defaults, defaultWorkerCount, type GatewayHostOptions } from './HostOptions.js';
import { isHostControl, WORKER_CONFIG_ENV, type WorkerConfig } from './hostControl.js';

const PRIMARY_ID = 'primary';

/** One worker slot of the host: the process in it now and how often it was restarted. */
export interface HostWorkerInfo {
  slot: number;
  id: string;
  pid: number | undefined;
  restarts: number;
  /** With `resumePortBase`: the worker's own port (what its READY names in `resume_gateway_url`). */
  resumePort: number | undefined;
}

export interface GatewayHostEvents {
  /** A worker exited unasked (`restarting`: a new one is being forked into its slot). */
  workerExit: [info: { slot: number; id: string; code: number | null; signal: string | null; restarting: boolean }];
  /** A worker (re)started and listens. */
  workerReady: [info: { slot: number; id: string }];
  /** A message a worker sent with `process.send` that is not the host's own. */
  message: [slot: number, message: unknown];
  error: [error: unknown];
}

interface Slot {
  slot: number;
  id: string;
  worker: Worker;
  path: string | null;
  resumePort: number | undefined;
  restarts: number;
  crashes: number[];
}

/**
 * The primary of a host: forks the workers (sharing one port through node:cluster), tells them about each other so
 * their `HostBroker`s link up, restarts a worker that dies, and closes them all on `close()`. It is itself a peer of
 * the host fan-out (`broker`: publish from here, e.g. a REST server in the primary) and, with `fleet`, the host's one
 * subscriber to the fleet broker.
 */
export class GatewayHost extends EventEmitter<GatewayHostEvents> {
  /** Publish into the host from the primary: the host links, or the fleet broker when there is one. */
  readonly broker: Broker;
  /** The primary's own link endpoint. */
  readonly links: HostBroker;
  readonly relay: FleetRelay | undefined;
  readonly #options: GatewayHostOptions;
  readonly #dir: string;
  readonly #slots: Slot[] = [];
  #generation = 0;
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(options: GatewayHostOptions, dir: string, links: HostBroker, relay: FleetRelay | undefined) {
    super();
    this.#options = options;
    this.#dir = dir;
    this.links = links;
    this.relay = relay;
    this.broker = options.fleet ?? links;
  }

  /** Starts the host: resolves once every worker listens. */
  static async start(options: GatewayHostOptions): Promise<GatewayHost> {
    if (!cluster.isPrimary) throw new HostError('INVALID_OPTION', 'startGatewayHost() runs in the primary process');
    const count = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(count) || count < 1) throw new HostError('INVALID_OPTION', 'workers must be an integer ≥ 1');
    const dir = mkdtempSync(join(tmpdir(), 'concord-host-'));
    let host: GatewayHost | undefined;
    const onError = (error: unknown): void => {
      if (host !== undefined) host.#error(error);
    };
    const relay = options.fleet ? new FleetRelay(options.fleet, onError) : undefined;
    const links = await HostBroker.listen({
      id: PRIMARY_ID,
      path: join(dir, 'primary.sock'),
      maxLinkBufferedBytes: options.maxLinkBufferedBytes ?? defaults.maxLinkBufferedBytes,
      maxFrameBytes: options.maxFrameBytes ?? defaults.maxFrameBytes,
      ...(relay ? { hub: relay.hub } : {}),
      onError,
    });
    relay?.attach(links);
    host = new GatewayHost(options, dir, links, relay);
    cluster.schedulingPolicy =
      (options.scheduling ?? defaults.scheduling) === 'os' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({
      exec: options.exec,
      execArgv: options.execArgv ?? [],
      args: options.args ?? [],
    });
    try {
      // Slot 0 alone first when asked (it may seed a shared database the others then find ready).
      if (options.firstWorkerAlone) await host.#fork(0, 0);
      const from = options.firstWorkerAlone ? 1 : 0;
      await Promise.all(Array.from({ length: count - from }, (_, i) => host.#fork(from + i, 0)));
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  /** The shared gateway port. */
  get port(): number {
    return this.#port;
  }

  /** `ws://host:port` of the shared port. */
  get url(): string {
    return `ws://${this.#publicHost()}:${this.#port}`;
  }

  workers(): HostWorkerInfo[] {
    return this.#slots.map((s) => ({
      slot: s.slot,
      id: s.id,
      pid: s.worker.process.pid,
      restarts: s.restarts,
      resumePort: s.resumePort,
    }));
  }

  /** Sends a message to one worker's `process.on('message')` (for applications and benches; not the host's own). */
  send(slot: number, message: unknown): void {
    const worker = this.#slots[slot]?.worker;
    if (worker?.isConnected()) worker.send(message as object, undefined, () => undefined);
  }

  #publicHost(): string {
    const host = this.#options.publicHost ?? this.#options.host ?? defaults.host;
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  #fork(slot: number, restarts: number): Promise<void> {
    const id = `w${slot}.${++this.#generation}`;
    const options = this.#options;
    const config: WorkerConfig = {
      slot,
      id,
      socketPath: join(this.#dir, `${id}.sock`),
      // The port as asked, not as bound: node:cluster shares one handle per (address, port) asked, so a restarted
      // worker asking for port 0 again gets the same ephemeral port (while any worker still holds it).
      port: options.port ?? defaults.port,
      host: options.host ?? defaults.host,
      ...(options.resumePortBase !== undefined
        ? { resumePort: options.resumePortBase === 0 ? 0 : options.resumePortBase + slot }
        : {}),
      publicHost: this.#publicHost(),
      ...(options.fleet ? { uplink: PRIMARY_ID } : {}),
      history: this.relay?.history ?? false,
      maxLinkBufferedBytes: options.maxLinkBufferedBytes ?? defaults.maxLinkBufferedBytes,
      maxFrameBytes: options.maxFrameBytes ?? defaults.maxFrameBytes,
    };
    const worker = cluster.fork({ ...(options.env ?? process.env), [WORKER_CONFIG_ENV]: JSON.stringify(config) });
    const previous = this.#slots[slot];
    const entry: Slot = {
      slot,
      id,
      worker,
      path: null,
      resumePort: undefined,
      restarts,
      crashes: previous?.crashes ?? [],
    };
    this.#slots[slot] = entry;
    return new Promise<void>((resolve, reject) => {
      const timeout = options.startTimeoutMs ?? defaults.startTimeoutMs;
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        reject(new HostError('WORKER_START_FAILED', `worker ${slot} not ready within ${timeout} ms`));
      }, timeout);
      timer.unref();
      let started = false;
      worker.on('message', (message: unknown) => {
        if (!isHostControl(message)) {
          this.emit('message', slot, message);
          return;
        }
        if (message.concordHost === 'linked') {
          entry.path = message.path;
          this.#announce();
        } else if (message.concordHost === 'ready') {
          if (this.#port === 0) this.#port = message.port;
          entry.resumePort = message.resumePort;
          started = true;
          clearTimeout(timer);
          this.emit('workerReady', { slot, id });
          resolve();
        }
      });
      worker.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.#slots[slot] !== entry) return;
        entry.path = null;
        this.#announce();
        // A worker that dies before ready is retried too once the host runs (only a first start fails `start`).
        const restarting =
          this.#closing === undefined && (options.restart ?? defaults.restart) && (started || restarts > 0);
        this.emit('workerExit', { slot, id, code, signal, restarting });
        if (!started)
          reject(new HostError('WORKER_START_FAILED', `worker ${slot} exited (${code ?? signal}) before ready`));
        if (!restarting) return;
        // Back off when a worker keeps dying: double the delay per crash within the last minute.
        const now = Date.now();
        entry.crashes = entry.crashes.filter((t) => now - t < 60_000);
        entry.crashes.push(now);
        const delay = Math.min(defaults.restartMaxDelayMs, defaults.restartDelayMs * 2 ** (entry.crashes.length - 1));
        setTimeout(() => {
          if (this.#closing !== undefined) return;
          this.#fork(slot, entry.restarts + 1).catch((error) => this.#error(error));
        }, delay).unref();
      });
    });
  }

  /** Reported as `error` when someone listens; otherwise a process warning (a host must not die of one worker). */
  #error(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(error instanceof Error ? error : new Error(String(error)));
  }

  /** Tells every process which peers are up (a worker linked, or one went). */
  #announce(): void {
    const peers: HostPeer[] = [{ id: PRIMARY_ID, path: this.links.path }];
    for (const s of this.#slots) if (s?.path) peers.push({ id: s.id, path: s.path });
    this.links.setPeers(peers);
    for (const s of this.#slots) {
      if (s?.path && s.worker.isConnected()) s.worker.send({ concordHost: 'peers', peers }, undefined, () => undefined);
    }
  }

  /**
   * Closes the host: every worker gets `close` (its gateway closes, it exits; killed after `graceMs`), then the
   * primary's links and the socket directory go. The fleet broker, if any, is the caller's to close.
   */
  close(graceMs = 10_000): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all(
        this.#slots.map(
          (s) =>
            new Promise<void>((resolve) => {
              const worker = s?.worker;
              if (!worker || worker.process.exitCode !== null || worker.process.signalCode !== null) return resolve();
              const timer = setTimeout(() => worker.process.kill('SIGKILL'), graceMs);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              if (worker.isConnected()) worker.send({ concordHost: 'close' }, undefined, () => undefined);
              else worker.process.kill('SIGTERM');
            }),
        ),
      );
      await this.links.close();
      rmSync(this.#dir, { recursive: true, force: true });
    })();
    return this.#closing;
  }
}

/** Starts a host of gateway workers (see {@link GatewayHost}). Run it in the primary; workers call `joinGatewayHost`. */
export function startGatewayHost(options: GatewayHostOptions): Promise<GatewayHost> {
  return GatewayHost.start(options);
}
