import { postgresFaultScenario } from './postgres-faults.ts';

// `npm run test:faults`: Postgres backends terminated repeatedly under load; Postgres restarted
// repeatedly under load; Postgres stopped while the API keeps being asked, then started.
postgresFaultScenario(
  'backends terminated',
  ['terminate', 'terminate', 'terminate', 'terminate', 'terminate', 'terminate', 'terminate', 'terminate'],
  { wave: 60, outageAnswers: 0 },
);
postgresFaultScenario('restarted', ['restart', 'restart', 'restart', 'restart'], { wave: 60, outageAnswers: 0 });
postgresFaultScenario('stopped', ['stop', 'stop'], { wave: 60, outageAnswers: 200 });
