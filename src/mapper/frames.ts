// The instances whose own `__setstate__`/`__getstate__` is running, with what the default state
// handling needs for them, so that `defaultSetState(this, state)` and `defaultGetState(this)`
// called from inside (Python's `super().__setstate__(state)`) work with the load or dump at hand.
import type { DumpContext, LoadContext } from '../registry/registry.js';
import type { ClassPlan } from './plan.js';

export interface Frame {
  readonly obj: object;
  readonly plan: ClassPlan;
  readonly load?: LoadContext;
  readonly dump?: DumpContext;
}

const frames: Frame[] = [];

/** Runs `body` with `frame` open (the innermost frame for its object wins). */
export function withFrame<T>(frame: Frame, body: () => T): T {
  frames.push(frame);
  try {
    return body();
  } finally {
    frames.pop();
  }
}

/** The innermost open frame of `obj`, if its dunder is running. */
export function frameOf(obj: object): Frame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.obj === obj) return frames[i];
  return undefined;
}
