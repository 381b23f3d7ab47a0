import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is limited under: by the gateway's per-address identify limit, and by applications' own
 * limits (examples/chat-server's REST and dev-auth limits), so that all of them count one client alike. IPv4 as is
 * (also when it arrives mapped into IPv6, `::ffff:a.b.c.d`); IPv6 by its /64, because one host usually holds a whole
 * /64 and could otherwise rotate through 2^64 keys.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const zone = address.indexOf('%');
  const a = zone >= 0 ? address.slice(0, zone) : address;
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return a;
  const g = ipv6Groups(a);
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  return `${g
    .slice(0, 4)
    .map((n) => n.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted quad folded into two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const last = text.lastIndexOf(':');
  const tail = text.slice(last + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, last + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => Number.parseInt(h, 16));
}
