/** The actions an environment accepts: named continuous vectors with bounds, named discrete choices. */
export interface ActionSpec {
  readonly continuous: Readonly<Record<string, ContinuousActionSpec>>;
  readonly discrete: Readonly<Record<string, DiscreteActionSpec>>;
}

/** A vector of `low.length` floats, each clipped to `[low[i], high[i]]`. */
export interface ContinuousActionSpec {
  readonly low: readonly number[];
  readonly high: readonly number[];
  /** What the vector drives, for miners reading the spec. */
  readonly doc: string;
}

/** An integer in `[0, n)`. */
export interface DiscreteActionSpec {
  readonly n: number;
  readonly doc: string;
}

/** A continuous key of `size` entries, all bounded by `[low, high]`. */
export function boxSpec(size: number, low: number, high: number, doc: string): ContinuousActionSpec {
  return { low: Array.from({ length: size }, () => low), high: Array.from({ length: size }, () => high), doc };
}
