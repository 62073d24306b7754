// @ts-nocheck -- class-transformer's decorators are legacy-only; the project's `tsc` checks
// decorators as TC39 ones (no experimentalDecorators), so it cannot type this file. It is only
// ever compiled by importDecorated(..., 'legacy').
// class-transformer interop models, compiled with legacy decorators only (class-transformer
// does not support TC39 decorators). @Expose / @Type / @Exclude count on a @PyClass where no
// @PyField says otherwise.
import 'reflect-metadata';
import { Exclude, Expose, Type } from 'class-transformer';
import { PyClass, PyField, Registry } from 'pickle-mapper/decorators';

export const registry = new Registry();

/** Implicit mode (no @PyField): @Expose renames. */
@PyClass('ct.Child', { registry })
export class Child {
  @Expose({ name: 'child_name' }) childName = '';
}

/** No @PyField: @Expose renames, @Type types (with or without @Expose), @Exclude leaves out. */
@PyClass('ct.Parent', { registry })
export class Parent {
  @Expose({ name: 'display_name' }) displayName = '';
  @Type(() => Child) children: Child[] = [];
  @Expose({ name: 'favourite' }) @Type(() => Child) favourite: Child | null = null;
  @Exclude() cache = new Map<string, unknown>();
  plain = 0;
}

/**
 * A @PyField and an @Expose on the same property: the @PyField wins. The class has a @PyField,
 * so it is not in implicit mode: `scratch` (undecorated) is not a Python attribute.
 */
@PyClass('ct.Labelled', { registry })
export class Labelled {
  @PyField('py_label') @Expose({ name: 'json_label' }) label = '';
  @Expose({ name: 'note_text' }) note = '';
  scratch = 'not for python';
}
