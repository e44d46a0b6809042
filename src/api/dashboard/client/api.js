// Reads the JSON API. Each resource is fetched on its own so that one failing route (no
// weights yet: 404; no pool reader: 503) never blanks the others.

/** The resources the page reads, by the name the panels use. */
const RESOURCES = {
  status: '/v1/status',
  health: '/health',
  miners: '/v1/miners',
  environments: '/v1/environments',
  stats: '/v1/tasks/stats',
  scores: '/v1/scores/latest',
  weights: '/v1/weights/latest',
  workers: '/v1/workers',
};

/**
 * One resource: `{ok: true, data}` on 2xx; `{ok: false, status, error, data}` otherwise, where
 * `error` is the API's `detail` sentence (status 0: the server did not answer at all).
 * `/health` answers 503 with a full report, so `data` is kept for errors too.
 */
async function getJson(path, timeoutMs) {
  try {
    const response = await fetch(path, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const data = await response.json().catch(() => null);
    // A 2xx whose body could not be read (cut off mid-transfer) is an error, not empty data.
    if (response.ok && data !== null) return { ok: true, status: response.status, data };
    if (response.ok) return { ok: false, status: response.status, error: 'the answer could not be read', data: null };
    const error = data && typeof data.detail === 'string' ? data.detail : `HTTP ${response.status}`;
    return { ok: false, status: response.status, error, data };
  } catch (error) {
    return { ok: false, status: 0, error: error instanceof Error ? error.message : String(error), data: null };
  }
}

/** Every resource (and the `extra` ones, e.g. the selected miner), in parallel, each within `timeoutMs`. */
export async function fetchAll(timeoutMs, extra = {}) {
  const resources = { ...RESOURCES, ...extra };
  const names = Object.keys(resources);
  const results = await Promise.all(names.map((name) => getJson(resources[name], timeoutMs)));
  return Object.fromEntries(names.map((name, i) => [name, results[i]]));
}
