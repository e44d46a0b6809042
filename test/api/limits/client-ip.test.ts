import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { clientIp, rateLimitKey, UNKNOWN_CLIENT } from '../../../src/api/limits/client-ip.ts';

describe('rateLimitKey', () => {
  test('IPv4 as it is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    assert.equal(rateLimitKey('203.0.113.7'), '203.0.113.7');
    assert.equal(rateLimitKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(rateLimitKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
    assert.equal(rateLimitKey('2001:DB8:0001:0002::9'), '2001:db8:1:2::/64');
    assert.equal(rateLimitKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(rateLimitKey('::1'), '0:0:0:0::/64');
    assert.equal(rateLimitKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(rateLimitKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.equal(rateLimitKey(UNKNOWN_CLIENT), UNKNOWN_CLIENT);
  });

  test('two addresses of one /64 share a key; neighbouring /64s do not', () => {
    assert.equal(rateLimitKey('2001:db8:a:b::1'), rateLimitKey('2001:db8:a:b:ffff:ffff:ffff:ffff'));
    assert.notEqual(rateLimitKey('2001:db8:a:b::1'), rateLimitKey('2001:db8:a:c::1'));
  });
});

describe('clientIp', () => {
  const app = (trustProxy: boolean) => new Hono().get('/', (c) => c.text(clientIp(c, trustProxy)));
  const ip = async (trustProxy: boolean, headers: Record<string, string> = {}) => (await app(trustProxy).request('/', { headers })).text();

  test('X-Forwarded-For is ignored unless the proxy is trusted', async () => {
    assert.equal(await ip(false, { 'x-forwarded-for': '198.51.100.1' }), UNKNOWN_CLIENT);
  });

  test('behind a trusted proxy: the last X-Forwarded-For address (the one the proxy appended)', async () => {
    assert.equal(await ip(true, { 'x-forwarded-for': '10.9.9.9, 198.51.100.1' }), '198.51.100.1');
    assert.equal(await ip(true, { 'x-forwarded-for': '2001:db8::5' }), '2001:db8::5');
    assert.equal(await ip(true, { 'x-forwarded-for': '1.2.3.4, not-an-ip' }), UNKNOWN_CLIENT, 'garbage falls back to the socket');
    assert.equal(await ip(true), UNKNOWN_CLIENT);
  });
});
