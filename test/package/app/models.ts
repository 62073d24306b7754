// The shop's classes as a TypeScript service maps them. The packed-package tests compile this
// file with tsc in each project: CommonJS and ESM, legacy and TC39 standard decorators.
import { type Tuple, tuple } from 'pickle-mapper';
import { PyClass, PyField } from 'pickle-mapper/decorators';

@PyClass('shop.Customer')
export class Customer {
  @PyField() name = '';
  @PyField() email = '';
}

@PyClass('shop.LineItem')
export class LineItem {
  @PyField() sku = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField() size: Tuple<number> = tuple(0, 0);
}

@PyClass('shop.Order')
export class Order {
  @PyField({ name: 'order_id', type: 'int' }) id = 0;
  @PyField({ type: () => Customer }) customer = new Customer();
  @PyField({ type: () => LineItem }) items: LineItem[] = [];
  @PyField() status = 'new';
  @PyField() notes: Record<string, unknown> = {};
}
