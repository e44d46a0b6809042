import { oneOf, optionalBoolean } from '../variable.ts';

/** Log output. */
export const logging = {
  level: oneOf('EVALPOOL_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    doc: 'Least severe level that is logged. Unset, one-shot commands that print a result (`tasks stats`, `miners show`, …) log only errors.',
  }),
  pretty: optionalBoolean('EVALPOOL_LOG_PRETTY', {
    doc: 'Human-readable logs instead of JSON lines; unset = pretty when stdout is a terminal.',
  }),
};
