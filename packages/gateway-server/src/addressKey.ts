import { isIPv6 } from 'node:net';

/**
 * The key a per-address limit counts under: an IPv4 address as is (also when written IPv4-mapped, `::ffff:a.b.c.d`),
 * an IPv6 address by its /64 — one subscriber usually holds a whole /64, so counting single addresses there would let
 * one client rotate through 2^64 of them.
 */
export function addressKey(remoteAddress: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!isIPv6(remoteAddress)) return remoteAddress;
  const address = remoteAddress.split('%')[0]!.toLowerCase();
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  let groups = left;
  if (address.includes('::')) {
    const right = tail === '' ? [] : tail.split(':');
    // An embedded IPv4 tail takes two groups.
    const rightGroups = right.length + (right.at(-1)?.includes('.') ? 1 : 0);
    groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
