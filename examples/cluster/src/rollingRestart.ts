import type { Cluster } from './Cluster.js';
import type { DemoClients } from './DemoClients.js';

export interface NodeRestart {
  node: string;
  /** Sessions the node held when it was drained. */
  sessions: number;
  waves: number;
  drainMs: number;
  /** Clients that resumed (on another node) during this restart. */
  moved: number;
  /** Clients that lost their session (op 9 or a new Identify) during this restart. */
  lost: number;
  /** Messages that went missing or came twice, as seen by the clients. */
  missing: number;
  duplicates: number;
}

/** Drains and restarts every node in turn, while the demo clients keep count; one report line per node. */
export async function rollingRestart(
  cluster: Cluster,
  clients: DemoClients,
  log: (line: string) => void = console.log,
): Promise<NodeRestart[]> {
  const results: NodeRestart[] = [];
  for (let i = 0; i < cluster.nodes.length; i++) {
    const before = clients.totals();
    const { name, stats } = await cluster.restart(i);
    // The last wave's clients may still be resuming on the other nodes when the drained node exits.
    await clients.waitReady();
    const after = clients.totals();
    const result: NodeRestart = {
      node: name,
      sessions: stats.sessions,
      waves: stats.waves,
      drainMs: stats.durationMs,
      moved: after.resumed - before.resumed,
      lost: after.lost - before.lost,
      missing: after.missing - before.missing,
      duplicates: after.duplicates - before.duplicates,
    };
    results.push(result);
    log(
      `${name}: drained ${result.sessions} sessions in ${result.drainMs} ms (${result.waves} waves), ` +
        `moved ${result.moved}, lost ${result.lost}, messages missing ${result.missing}, duplicated ${result.duplicates}`,
    );
  }
  return results;
}
