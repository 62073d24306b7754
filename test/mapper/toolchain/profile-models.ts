// One model, compiled by every toolchain the toolchain test uses (vitest's transform, tsc and
// tsx/esbuild; legacy and TC39 decorators). It must check and write the same values in each.
import 'reflect-metadata';
import { PyDate } from 'pickle-mapper';
import { PyClass, PyField, Registry } from 'pickle-mapper/decorators';

export const registry = new Registry();

@PyClass('tc.Part', { registry })
export class Part {
  @PyField() code = '';
}

@PyClass('tc.Profile', { registry })
export class Profile {
  /** Issue 17, finding 9: with an annotation, tsc with legacy metadata alone used to type it. */
  @PyField() name: string = '';
  @PyField() count = 0;
  @PyField() ratio = 0.5;
  @PyField() active = false;
  /** No default: says nothing, under every toolchain (metadata is not read). */
  @PyField() label?: string;
  @PyField() data = new Uint8Array();
  @PyField({ type: 'float' }) score: number = 0;
  @PyField() day = new PyDate(2000, 1, 1);
  @PyField() part = new Part();
}
