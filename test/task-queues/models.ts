// The TypeScript side of tasks.py's dataclasses, for the RQ and Celery interop tests.
import { listOf, registerClass } from 'pickle-mapper';

export class Order {
  constructor(
    public sku = '',
    public quantity = 0,
    public price = 0,
  ) {}
}

export class Receipt {
  constructor(
    public sku = '',
    public total = 0,
    public lines: string[] = [],
  ) {}
}

registerClass(Order, { module: 'tasks', name: 'Order', model: 'dataclass', fields: { sku: { type: 'str' }, quantity: { type: 'int' }, price: { type: 'float' } } });
registerClass(Receipt, { module: 'tasks', name: 'Receipt', model: 'dataclass', fields: { sku: { type: 'str' }, total: { type: 'float' }, lines: { type: listOf('str') } } });
