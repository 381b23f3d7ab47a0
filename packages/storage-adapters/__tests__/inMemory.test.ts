import { runMessageStoreConformance } from '../src/conformance/index.js';
import { createInMemoryStore } from '../src/index.js';

runMessageStoreConformance('in-memory', ({ bucketMs }) => createInMemoryStore({ bucketMs }));
