/**
 * Typed access to MuJoCo's arrays. The bindings type them as `any`; they are Float64Array views
 * into the WebAssembly heap, created afresh on every property read. A view is detached when the
 * heap grows (another simulator allocating), so read the property again instead of keeping one.
 */
export function f64(view: unknown, what: string): Float64Array {
  if (!(view instanceof Float64Array)) throw new TypeError(`MuJoCo field ${what} is not a Float64Array`);
  return view;
}

/** Wraps an angle to [-π, π). */
export function wrapAngle(angle: number): number {
  const twoPi = 2 * Math.PI;
  return angle - twoPi * Math.floor((angle + Math.PI) / twoPi);
}
