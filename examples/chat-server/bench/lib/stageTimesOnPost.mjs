// Preloaded into the assembled server of bench/assembled.ts for a diagnostic run
// (`ASSEMBLED_ONLY=assembled ASSEMBLED_SERVER_ARGS="--import <this file>"`): where the time between a message's POST
// and its first delivery goes in the server. For each POST to a `/messages` route it writes one line to stderr,
// `STAGE {"total":µs,"marks":[[name,µs,duration?],…]}`: µs after the HTTP `request` event until the first socket
// write carrying MESSAGE_CREATE, the SQLite statements run in between (start, and their own µs), and any
// `globalThis.__stage?.('name')` call put into built files for the run. The tenth pass of #19 read it so
// (BENCHMARKS.md, "Tenth pass"). It patches `http.Server#emit`, `net.Socket#write` and better-sqlite3's `prepare`:
// diagnostic only, never for a timed comparison.
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(import.meta.url);
const now = () => Number(process.hrtime.bigint()) / 1000;
/** The POST being timed: its `request` time and the marks since; null between a first write and the next POST. */
let armed = null;

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, ...rest) {
  if (event === 'request' && req.method === 'POST' && req.url.includes('/messages')) {
    const mine = { req: now(), marks: [] };
    armed = mine;
    req.once('end', () => {
      if (armed === mine) mine.marks.push(['body-end', now()]);
    });
  }
  return emit.call(this, event, req, ...rest);
};

globalThis.__stage = (name) => {
  if (armed) armed.marks.push([name, now()]);
};

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  if (armed && chunk && typeof chunk !== 'string' && chunk.length > 20) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.indexOf('MESSAGE_CREATE') !== -1) {
      const timed = armed;
      armed = null;
      const at = now();
      // Written after this tick: the first delivery itself is not delayed by the report.
      setImmediate(() => {
        const marks = timed.marks.map(([name, t, took]) => [name, Math.round(t - timed.req), took]);
        process.stderr.write(`STAGE ${JSON.stringify({ total: Math.round(at - timed.req), marks })}\n`);
      });
    }
  }
  return write.call(this, chunk, ...rest);
};

const Database = require('better-sqlite3');
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql, ...rest) {
  const statement = prepare.call(this, sql, ...rest);
  const label = sql.replace(/\s+/g, ' ').slice(0, 40);
  for (const method of ['run', 'get', 'all']) {
    const original = statement[method];
    if (typeof original !== 'function') continue;
    statement[method] = function (...args) {
      if (!armed) return original.apply(this, args);
      const start = now();
      const result = original.apply(this, args);
      armed?.marks.push([`${method}: ${label}`, start, Math.round(now() - start)]);
      return result;
    };
  }
  return statement;
};
