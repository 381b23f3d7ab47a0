import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after (or instead of) answering. */
  closed: boolean;
}

/**
 * One HTTP/1.1 request over a bare socket, for bodies `fetch` refuses to send (a Content-Length that lies, a stalled
 * or endless body). `write` gets the socket after the head is sent; the promise settles with the first complete
 * response, with `status: 0` when the server closed without one, or rejects after `deadlineMs`.
 */
export function rawRequest(
  port: number,
  head: string,
  write: (socket: Socket) => void | Promise<void>,
  deadlineMs = 5000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no response within ${deadlineMs} ms`)), deadlineMs);
    const finish = (result: RawResponse | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const parse = (closed: boolean): RawResponse | null => {
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return closed ? { status: 0, headers: {}, body: '', closed } : null;
      const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const body = buffered.subarray(end + 4);
      if (body.length < length && !closed) return null;
      return {
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: body.subarray(0, length).toString('utf8'),
        closed: closed || headers.connection === 'close',
      };
    };
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      const response = parse(false);
      if (response) finish(response);
    });
    socket.on('close', () => finish(parse(true) ?? { status: 0, headers: {}, body: '', closed: true }));
    socket.on('error', () => {
      // A reset while we still write: the close handler reports what was received.
    });
    socket.once('connect', () => {
      socket.write(head);
      Promise.resolve(write(socket)).catch(() => {});
    });
  });
}

/** The request head for `method path` with these headers (Host and Connection added). */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
