import { PyObject } from '../values/object.js';

/**
 * Points every reference to `from` inside the graphs reachable from `roots` at `to`, without
 * recursion (the graphs may be arbitrarily deep and cyclic). Used when a dict that was already
 * referenced from elsewhere has to change representation (plain object → Map); rare and O(graph),
 * so `charge` is told of every object and element visited.
 */
export function replaceReferences(
  roots: readonly unknown[],
  from: object,
  to: object,
  charge: (visited: number) => void = () => {},
): void {
  const seen = new Set<object>();
  const pending: unknown[] = [...roots];
  const swap = (value: unknown): unknown => (value === from ? to : value);
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null || seen.has(node) || ArrayBuffer.isView(node)) continue;
    seen.add(node);
    charge(1);
    if (Array.isArray(node)) {
      charge(node.length);
      for (let i = 0; i < node.length; i++) {
        node[i] = swap(node[i]);
        pending.push(node[i]);
      }
    } else if (node instanceof Map) {
      charge(node.size);
      const entries = [...node.entries()];
      if (entries.some(([k, v]) => k === from || v === from)) {
        node.clear();
        for (const [k, v] of entries) node.set(swap(k), swap(v));
      }
      for (const [k, v] of node) pending.push(k, v);
    } else if (node instanceof Set) {
      charge(node.size);
      if (node.has(from)) {
        const items = [...node];
        node.clear();
        for (const item of items) node.add(swap(item));
      }
      for (const item of node) pending.push(item);
    } else if (node instanceof PyObject) {
      node.state = swap(node.state);
      if (node.kwargs === from) (node as { kwargs: unknown }).kwargs = to;
      pending.push(node.cls, node.args, node.state, node.listItems, node.dictItems, node.kwargs);
    } else {
      const record = node as Record<string, unknown>;
      const keys = Object.keys(record);
      charge(keys.length);
      for (const key of keys) {
        if (record[key] === from) record[key] = to;
        pending.push(record[key]);
      }
      // Symbol-keyed properties too: a mapped instance keeps undeclared state under one.
      for (const symbol of Object.getOwnPropertySymbols(record)) {
        const held = (record as Record<symbol, unknown>)[symbol];
        if (held === from) (record as Record<symbol, unknown>)[symbol] = to;
        else pending.push(held);
      }
    }
  }
}
