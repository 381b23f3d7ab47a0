import type * as cassandra from 'cassandra-driver';
import { requireOptional } from '../optionalDependency.js';

/** cassandra-driver, loaded on first use: an absent driver is a MissingDependencyError naming it. */
export function loadCassandraDriver(): typeof cassandra {
  return requireOptional<typeof cassandra>('cassandra-driver', 'The Cassandra store of @concord/storage-adapters');
}
