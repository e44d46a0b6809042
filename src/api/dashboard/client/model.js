// Joins the API's answers into what the panels draw: one row per miner, one column per env.

const rowKey = (uid, hotkey) => `${uid} ${hotkey}`;

/**
 * The page's view of one refresh. `rows` holds every active miner and every miner of the latest
 * scoring pass (by uid, then hotkey); `envs` every environment, scored or not.
 */
export function buildModel(r, selectedUid = null) {
  const status = r.status.ok ? r.status.data : null;
  const now = status && Number.isFinite(Date.parse(status.time)) ? Date.parse(status.time) : Date.now();
  const scores = r.scores.ok ? r.scores.data : null;
  const environments = r.environments.ok ? r.environments.data.environments : [];

  const envs = environments.map((e) => ({ id: e.env_id, scored: e.scored, listSize: e.current_size, env: e }));
  for (const e of scores?.envs ?? []) {
    if (!envs.some((x) => x.id === e.env_id)) envs.push({ id: e.env_id, scored: true, listSize: e.list_size, env: null });
  }
  // Scored environments first (they decide eligibility), each group by id.
  envs.sort((a, b) => Number(b.scored) - Number(a.scored) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const rows = new Map();
  for (const m of r.miners.ok ? r.miners.data.miners : []) {
    rows.set(rowKey(m.uid, m.hotkey), { uid: m.uid, hotkey: m.hotkey, revision: m.revision, miner: m, score: null });
  }
  for (const m of scores?.miners ?? []) {
    const key = rowKey(m.uid, m.hotkey);
    const row = rows.get(key);
    if (row) row.score = m;
    else rows.set(key, { uid: m.uid, hotkey: m.hotkey, revision: m.revision, miner: null, score: m });
  }

  return {
    now,
    results: r,
    status,
    health: r.health.data,
    scores,
    minCoverage: scores?.params?.min_coverage ?? null,
    envs,
    rows: [...rows.values()].sort((a, b) => a.uid - b.uid || (a.hotkey < b.hotkey ? -1 : 1)),
    stats: r.stats.ok ? r.stats.data : null,
    weights: r.weights.ok ? r.weights.data : null,
    workers: r.workers.ok ? r.workers.data : null,
    selectedUid,
  };
}

/** The pool counts of one key (hotkey or env id), zero when the pool has nothing for it. */
export function poolOf(byKey, key) {
  return byKey?.[key] ?? { pending: 0, assigned: 0, paused: 0, in_flight: 0 };
}
