// Half of a process that has the package twice over: this file is loaded with `require`, so its
// pickle-mapper is the package's CommonJS entry. It registers Customer and Order.
import { defaultRegistry, dumps, loads, pyFloat, Tuple, tuple } from 'pickle-mapper';
import { PyClass, PyField } from 'pickle-mapper/decorators';

export { defaultRegistry, dumps, loads, pyFloat, Tuple, tuple };

@PyClass('shop.Customer')
export class Customer {
  @PyField() name = '';
  @PyField() email = '';
}

@PyClass('shop.Order')
export class Order {
  @PyField({ name: 'order_id', type: 'int' }) id = 0;
  @PyField({ type: () => Customer }) customer = new Customer();
  @PyField() items: unknown[] = [];
  @PyField() status = 'new';
  @PyField() notes: Record<string, unknown> = {};
}
