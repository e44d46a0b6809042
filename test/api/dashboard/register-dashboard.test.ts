import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { DASHBOARD_CLIENT_DIR, loadDashboardAssets } from '../../../src/api/dashboard/dashboard-assets.ts';
import { DASHBOARD_CSP, registerDashboard } from '../../../src/api/dashboard/register-dashboard.ts';
import { DASHBOARD_ASSET_MAX_AGE_SECONDS } from '../../../src/config/constants.ts';
import { testApp } from '../../helpers/test-app.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();
const assets = loadDashboardAssets();
const base = `/dashboard/${assets.version}`;

function dashboardOnly(): Hono {
  const app = new Hono();
  registerDashboard(app, { assets, refreshMs: 2_500 });
  return app;
}

describe('GET / (the dashboard page)', () => {
  test('createApp serves the page at / with a strict CSP, and the API is unchanged', async () => {
    const app = testApp(database.db);
    const response = await app.request('/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/i);
    assert.equal(response.headers.get('content-security-policy'), DASHBOARD_CSP);
    assert.match(DASHBOARD_CSP, /^default-src 'self';/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    const html = await response.text();
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes(`<script type="module" src="${base}/dashboard.js"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${base}/dashboard.css">`));
    assert.equal((await app.request('/v1/nope')).headers.get('content-type'), 'application/json');
  });

  test('the page loads nothing external and has no inline script or style', async () => {
    const html = await (await dashboardOnly().request('/')).text();
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /\son[a-z]+=/);
    for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.match(tag, /\ssrc="\/dashboard\//);
    assert.match(html, /<body data-refresh-ms="2500">/);
    // One h1 and a titled section per panel.
    assert.equal(html.match(/<h1>/g)?.length, 1);
    assert.equal(html.match(/<section /g)?.length, html.match(/<h2 /g)?.length);
    // Every URL the page names is served.
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      assert.equal((await dashboardOnly().request(url!)).status, 200, url);
    }
  });
});

describe('GET /dashboard/<hash>/<file> (the assets)', () => {
  test('each file with its content type, immutable under the current hash', async () => {
    const app = dashboardOnly();
    const types: Record<string, RegExp> = {
      js: /^text\/javascript; charset=utf-8$/,
      css: /^text\/css; charset=utf-8$/,
      svg: /^image\/svg\+xml$/,
    };
    assert.ok(assets.files.size >= 5);
    for (const name of assets.files.keys()) {
      const response = await app.request(`${base}/${name}`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get('content-type') ?? '', types[name.split('.').pop()!]!, name);
      assert.equal(response.headers.get('cache-control'), `public, max-age=${DASHBOARD_ASSET_MAX_AGE_SECONDS}, immutable`);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), readFileSync(join(DASHBOARD_CLIENT_DIR, name)));
    }
  });

  test('an old hash still gets the current file, without long caching; unknown files are 404', async () => {
    const app = dashboardOnly();
    const stale = await app.request('/dashboard/000000000000/dashboard.js');
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('cache-control'), 'no-cache');
    for (const path of [`${base}/nope.js`, `${base}/..%2Fpage.ts`, `${base}/`, '/dashboard/x/y/z']) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
    }
  });
});

describe('the browser code', () => {
  const sources = [...assets.files.values()]
    .filter((a) => a.name.endsWith('.js'))
    .map((a) => ({ name: a.name, text: Buffer.from(a.body).toString('utf8') }));

  test('every import names a shipped file and something it exports (a miss would stop the page in the browser)', () => {
    const exportsOf = new Map(
      sources.map(({ name, text }) => [
        name,
        new Set([...text.matchAll(/^export (?:async )?(?:function|const|let|class) (\w+)/gm)].map((m) => m[1])),
      ]),
    );
    for (const { name, text } of sources) {
      for (const [, names, target] of text.matchAll(/^import \{([^}]*)\} from '\.\/([^']+)';$/gm)) {
        assert.ok(assets.files.has(target!), `${name} imports ${target}, which is not shipped`);
        for (const imported of names!
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)) {
          assert.ok(exportsOf.get(target!)?.has(imported), `${name} imports ${imported} from ${target}, which does not export it`);
        }
      }
      assert.doesNotMatch(text, /^import (?!\{)/m, `${name}: only named imports are checked here`);
    }
  });

  test('never turns data into markup or code', () => {
    // Hotkeys and error messages are user-controlled: only textContent/DOM APIs may render them.
    const forbidden = /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\(\s*['"](?:style|on)/;
    for (const { name, text } of sources) assert.doesNotMatch(text, forbidden, name);
  });
});
