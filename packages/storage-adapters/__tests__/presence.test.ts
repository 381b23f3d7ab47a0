import { runPresenceStoreConformance } from '../src/conformance/index.js';
import { createInMemoryPresenceStore } from '../src/presence/index.js';

runPresenceStoreConformance('in-memory', () => createInMemoryPresenceStore());
