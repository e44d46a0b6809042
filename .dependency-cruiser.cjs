// The layering of docs/design.md ("Rooms and layering"), kept by `npm run lint`:
//   cli → demo → service → api | scheduler | worker → pool | sampling | scoring | envs | miners | chain → db → runtime → config
// A room imports only rooms below it; rooms on one row do not import each other, except the
// peers listed in PEERS. Inside worker/: consumer → evaluation → episode. No module cycles in src/.
const ROWS = [
  ['cli'],
  ['demo'],
  ['service'],
  ['api', 'scheduler', 'worker'],
  ['pool', 'sampling', 'scoring', 'envs', 'miners', 'chain'],
  ['db'],
  ['runtime'],
  ['config'],
];
/** Same-row arrows the design allows: the miner client speaks the policy contract of envs/. */
const PEERS = { miners: ['envs'] };

const rowOf = (room) => ROWS.findIndex((row) => row.includes(room));
const upward = ROWS.flatMap((row, i) =>
  row.map((room) => {
    const forbidden = ROWS.slice(0, i + 1)
      .flat()
      .filter((other) => other !== room && !(PEERS[room] ?? []).includes(other));
    return {
      name: `layering-${room}`,
      comment: `${room}/ (row ${rowOf(room) + 1}) may import only rooms below it (docs/design.md, "Rooms and layering")`,
      severity: 'error',
      from: { path: `^src/${room}/` },
      to: { path: `^src/(${forbidden.join('|')})/` },
    };
  }),
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'worker-episode-alone',
      comment: 'worker/episode/ is bundled into the env image alone: it imports neither consumer/ nor evaluation/',
      severity: 'error',
      from: { path: '^src/worker/episode/' },
      to: { path: '^src/worker/(consumer|evaluation)/' },
    },
    {
      name: 'worker-evaluation-below-consumer',
      comment: 'inside worker/: consumer → evaluation → episode',
      severity: 'error',
      from: { path: '^src/worker/evaluation/' },
      to: { path: '^src/worker/consumer/' },
    },
    { name: 'no-circular', comment: 'a module cycle', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'no-unknown-room',
      comment: 'every folder under src/ is a room of the design',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${ROWS.flat().join('|')})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)dist/' },
  },
};
