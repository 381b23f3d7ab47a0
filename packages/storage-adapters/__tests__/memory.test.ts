import { runMessageStoreConformance } from '../src/conformance/index.js';
import { createMemoryStore } from '../src/index.js';

runMessageStoreConformance('memory', ({ bucketMs }) => createMemoryStore({ bucketMs }));
