import { isIP, isIPv4 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** What {@link clientIp} answers for a request without a socket (`app.request()` in tests). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The client's IP address: the TCP peer, or with `trustProxy` the last address of
 * `X-Forwarded-For` (the one our reverse proxy appended; earlier entries are whatever the client
 * claimed). A header that is missing or not an IP address falls back to the socket.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    if (forwarded) {
      const last = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
      if (isIP(last) !== 0) return last;
    }
  }
  // `getConnInfo` needs the Node request, which only a real server provides.
  if ((c.env as { incoming?: unknown } | undefined)?.incoming === undefined) return UNKNOWN_CLIENT;
  return getConnInfo(c).remote.address ?? UNKNOWN_CLIENT;
}

/**
 * The rate-limit key of an address: IPv4 as it is (also when written IPv4-mapped, `::ffff:a.b.c.d`),
 * IPv6 by its /64 prefix, since one host usually holds a whole /64 and could rotate through it.
 */
export function rateLimitKey(ip: string): string {
  if (isIPv4(ip)) return ip;
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return lower.slice(7);
  const groups = ipv6Groups(lower);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

/** The eight 16-bit groups of an IPv6 address (as hex without leading zeros), or undefined. */
function ipv6Groups(ip: string): string[] | undefined {
  const address = ip.split('%')[0]!; // zone id (fe80::1%eth0)
  if (isIP(address) !== 6) return undefined;
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => Number.parseInt(g, 16).toString(16)) : undefined;
}
