// Declarations TypeScript checks against the fields they decorate. `npm run typecheck` compiles
// this file with TC39 decorators; declaration-types.test.ts compiles it with both standards. The
// expected-error directives mark declarations that must not compile (an unused one is an error).
import { registerEnum, tuple, type Tuple } from 'pickle-mapper';
import { dictOf, enumOf, listOf, mapOf, optional, PyClass, PyField, setOf, tupleOf } from 'pickle-mapper/decorators';

const Color = registerEnum('typing.Color', { RED: 1, GREEN: 2 });

@PyClass('typing.Item')
export class Item {
  @PyField() sku = '';
}

@PyClass('typing.Fits')
export class Fits {
  @PyField({ type: 'int' }) id = 0;
  @PyField({ type: 'float' }) prices: number[] = []; // a scalar type on a list types its items
  @PyField({ type: () => Item }) item: Item | null = null;
  @PyField({ type: dictOf(() => Item) }) bySku: Record<string, Item> = {};
  @PyField({ type: dictOf('int', () => Item) }) byId = new Map<number, Item>();
  @PyField({ type: mapOf(() => Item) }) byName = new Map<string, Item>();
  @PyField({ type: listOf(() => Item) }) items: Item[] = [];
  @PyField({ type: tupleOf('int') }) dims: Tuple<number> = tuple();
  @PyField({ type: tupleOf(['str', 'int']) }) pair: readonly [string, number] = ['', 0];
  @PyField({ type: setOf('str') }) tags = new Set<string>();
  @PyField({ type: optional('str') }) note: string | null = null;
  @PyField({ type: enumOf(Color) }) color = Color.RED;
  @PyField() anything: unknown = null;
}

@PyClass('typing.Misfits')
export class Misfits {
  // @ts-expect-error: a str field is not an int
  @PyField({ type: 'int' }) id = '';
  // @ts-expect-error: a class type on a dict field is ONE instance, not a dict of them
  @PyField({ type: () => Item }) bySku: Record<string, Item> = {};
  // @ts-expect-error: dictOf(V) holds a plain object; a Map is mapOf(V)
  @PyField({ type: dictOf(() => Item) }) byName = new Map<string, Item>();
  // @ts-expect-error: dictOf('int', V) holds a Map
  @PyField({ type: dictOf('int', () => Item) }) byId: Record<string, Item> = {};
  // @ts-expect-error: a list of Items is not a dict of them
  @PyField({ type: listOf(() => Item) }) items: Record<string, Item> = {};
  // @ts-expect-error: strings are no ints
  @PyField({ type: listOf('int') }) counts: string[] = [];
  // @ts-expect-error: a set is no list
  @PyField({ type: setOf('int') }) ids: number[] = [];
}
