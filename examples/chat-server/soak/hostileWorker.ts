// The hostile clients run in a process of their own, so their CPU is not the normal clients' event loop's.
// Usage: node --import tsx soak/hostileWorker.ts '<HostileOptions as JSON>'; prints the tallies as one JSON line.
import { HostileClients, type HostileOptions } from './HostileClients.js';

const options = JSON.parse(process.argv[2] ?? '{}') as HostileOptions;
const tallies = await new HostileClients(options).run();
process.stdout.write(`${JSON.stringify(tallies)}\n`);
process.exit(0);
