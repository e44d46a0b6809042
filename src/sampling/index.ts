/**
 * Sampling lists: per environment, a rotating list of task ids (DESIGN.md, "Sampling lists").
 * Definitions come from `sampling-lists/*.json`; Postgres holds the lists and their history.
 * The leader calls {@link ensureSamplingLists} at start, {@link rotateDueLists} every tick, and
 * reads {@link getCurrentLists} / {@link rotationOutlooks} to schedule by need.
 */
export { getCurrentLists, toCurrentList } from './current-list.ts';
export type { CurrentList } from './current-list.ts';
export { loadSamplingDefinitions } from './definitions.ts';
export { drawTaskIds } from './draw-task-ids.ts';
export type { TaskIdRange } from './draw-task-ids.ts';
export { ensureSamplingLists } from './ensure-sampling-lists.ts';
export type { EnsureSamplingListsOptions, SamplingListsSync } from './ensure-sampling-lists.ts';
export { rotateDueLists } from './rotate-due-lists.ts';
export type { RotateDueOptions } from './rotate-due-lists.ts';
export { rotateList } from './rotate-list.ts';
export type { Rotation } from './rotate-list.ts';
export { rotateNow } from './rotate-now.ts';
export { isRotationDue, nextRotationAt, rotationOutlook, rotationOutlooks, rotationRanks, rotationRatePerHour } from './rotation-outlook.ts';
export type { RotationOutlook } from './rotation-outlook.ts';
export { definitionFileName, FAMILIES, parseSamplingDefinition } from './sampling-definition.ts';
export type { Family, SamplingDefinition } from './sampling-definition.ts';
export { DatasetTooSmallError, SamplingDefinitionError, SamplingError, UnknownSamplingListError } from './sampling-error.ts';
export type { DefinitionProblem } from './sampling-error.ts';
