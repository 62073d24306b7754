// Functions compiled for one mapped class, so that each property store in them is a named store
// V8 can make monomorphic. A generic loop over property names instead makes every store
// megamorphic, and for a class loaded a hundred thousand times that is most of its cost.
// Only the class's own property names go into the source, each as a JSON string literal; nothing
// from the pickle does. Where `new Function` is forbidden (a Content-Security-Policy without
// 'unsafe-eval'), callers keep their generic loops: it is tried once, not once per class, so such
// a page sees one policy report, not one per class.

let allowed: boolean | undefined;

/**
 * `new Function(...names, body)` called with `values`: the function the body returns, or undefined
 * when this environment does not allow compiling.
 */
export function compileFunction<F>(names: readonly string[], values: readonly unknown[], body: string): F | undefined {
  if (allowed === false) return undefined;
  try {
    // Strict, as the generic code is: a store to a getter-only or frozen property throws, not ignored.
    const factory = new Function(...names, `'use strict'; ${body}`) as (...args: unknown[]) => F;
    allowed = true;
    return factory(...values);
  } catch (error) {
    if (allowed === undefined && error instanceof EvalError) {
      allowed = false;
      return undefined;
    }
    throw error;
  }
}

/** A property name as a string literal for compiled source. */
export function literal(name: string): string {
  return JSON.stringify(name);
}
