/**
 * Defaults of the dashboard (`GET /`). Not configuration variables: the page has nothing an
 * operator must tune; `?refresh=<seconds>` on the page URL overrides the refresh period.
 */

/** How often the page reloads its data while the tab is visible. */
export const DASHBOARD_REFRESH_MS = 5_000;

/**
 * `Cache-Control` max-age of the page's assets. Their URLs carry a hash of their content, so a
 * deploy changes the URL and a year-long cache is safe.
 */
export const DASHBOARD_ASSET_MAX_AGE_SECONDS = 31_536_000;

/** Where the assets are served; the content hash follows as the next path segment. */
export const DASHBOARD_ASSET_PREFIX = '/dashboard';
