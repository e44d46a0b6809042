import type { Context, Hono } from 'hono';
import { DASHBOARD_ASSET_MAX_AGE_SECONDS, DASHBOARD_ASSET_PREFIX, DASHBOARD_REFRESH_MS } from '../../config/constants.ts';
import { type DashboardAssets, loadDashboardAssets } from './dashboard-assets.ts';
import { dashboardPage } from './page.ts';

/**
 * The page's content security policy: everything from this origin only, no inline script or
 * style, no plugins, no framing, no forms. The script draws with DOM APIs (no `eval`, no inline
 * handlers), which is what lets it be this strict.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Options of {@link registerDashboard}; all have defaults. */
export interface DashboardOptions {
  /** Default refresh period of the page's data (ms). */
  readonly refreshMs?: number;
  /** The static files (tests pass their own). */
  readonly assets?: DashboardAssets;
}

function securityHeaders(c: Context): void {
  c.header('Content-Security-Policy', DASHBOARD_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

/**
 * `GET /`: the dashboard page, and `GET /dashboard/<hash>/<file>`: its script, stylesheet and
 * icon. The page is revalidated on every load (`no-cache`) so that it always names the current
 * hash; assets under the current hash are immutable for a year. An asset asked for under an old
 * hash (a tab opened before a deploy) is still served, with the current content and `no-cache`.
 */
export function registerDashboard(app: Hono, options: DashboardOptions = {}): void {
  const assets = options.assets ?? loadDashboardAssets();
  const html = dashboardPage({
    assetBase: `${DASHBOARD_ASSET_PREFIX}/${assets.version}`,
    refreshMs: options.refreshMs ?? DASHBOARD_REFRESH_MS,
  });

  app.get('/', (c) => {
    securityHeaders(c);
    c.header('Cache-Control', 'no-cache');
    return c.html(html);
  });

  app.get(`${DASHBOARD_ASSET_PREFIX}/:version/:file`, (c) => {
    const asset = assets.files.get(c.req.param('file'));
    if (!asset) return c.notFound();
    securityHeaders(c);
    c.header('Content-Type', asset.contentType);
    c.header(
      'Cache-Control',
      c.req.param('version') === assets.version ? `public, max-age=${DASHBOARD_ASSET_MAX_AGE_SECONDS}, immutable` : 'no-cache',
    );
    return c.body(asset.body);
  });
}
