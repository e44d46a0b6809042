import * as v from 'valibot';

/** The first five valibot issues of a rejected input, as `path: message; …`: what a 400 or a contract error says. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`)
    .join('; ');
}
