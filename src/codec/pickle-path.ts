// Where in a value the pickler is: a chain of steps from the root, built only for containers
// (not for every scalar) and turned into text (`value.order.items[3].price`) only on failure.

/** How a step reads in a path: `[3]` (Index), `.name` or `["odd key"]` (Key), `.get(1)` (a Map
 * value, MapValue), a named part such as `.state` written as is (Label), the i-th dict key
 * `.keys()[i]` (DictKey), `<set item i>` and `<frozenset item i>`, or `label[i]` (LabelIndex).
 * Keys are kept raw and formatted only when a path is printed, never on the hot path. */
export const StepKind = { Index: 0, Key: 1, MapValue: 2, Label: 3, DictKey: 4, SetItem: 5, FrozenSetItem: 6, LabelIndex: 7 } as const;
export type StepKind = (typeof StepKind)[keyof typeof StepKind];

export interface PathStep {
  readonly parent: PathStep | undefined;
  readonly kind: StepKind;
  readonly key: unknown;
  readonly label: string | undefined;
  readonly depth: number;
}

export function step(parent: PathStep | undefined, kind: StepKind, key: unknown, label?: string): PathStep {
  return { parent, kind, key, label, depth: (parent?.depth ?? 0) + 1 };
}

function segment(node: PathStep): string {
  switch (node.kind) {
    case StepKind.Index:
      return `[${String(node.key)}]`;
    case StepKind.Key: {
      const key = String(node.key);
      return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    }
    case StepKind.MapValue:
      return typeof node.key === 'string' ? `.get(${JSON.stringify(node.key)})` : `.get(${String(node.key)})`;
    case StepKind.Label:
      return String(node.key);
    case StepKind.DictKey:
      return `.keys()[${String(node.key)}]`;
    case StepKind.SetItem:
      return `<set item ${String(node.key)}>`;
    case StepKind.FrozenSetItem:
      return `<frozenset item ${String(node.key)}>`;
    case StepKind.LabelIndex:
      return `${node.label ?? ''}[${String(node.key)}]`;
  }
}

/** `value.order.items[3]`, or 'the value itself' for the root. */
export function formatPath(node: PathStep | undefined): string {
  if (!node) return 'the value itself';
  const parts: string[] = [];
  for (let at: PathStep | undefined = node; at; at = at.parent) parts.push(segment(at));
  return `value${parts.reverse().join('')}`;
}
