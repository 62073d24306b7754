// The TypeScript side's view of the Python service's classes (examples/python-interop/shop.py).
import { listOf, PyClass, PyField, tuple, tupleOf, type Tuple } from 'pickle-mapper/decorators';

@PyClass('shop.Customer')
export class Customer {
  @PyField() name = '';
  @PyField() email = '';
}

@PyClass('shop.LineItem')
export class LineItem {
  @PyField() sku = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField({ type: 'int' }) quantity = 1;
}

@PyClass('shop.Order')
export class Order {
  @PyField({ name: 'order_id', type: 'int' }) id = 0;
  @PyField({ type: () => Customer }) customer = new Customer();
  @PyField({ type: listOf(() => LineItem) }) items: LineItem[] = [];
  @PyField({ type: tupleOf('str') }) tags: Tuple<string> = tuple();
  @PyField() status = 'new';

  get total(): number {
    return this.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  }
}

@PyClass('shop.Receipt')
export class Receipt {
  @PyField({ name: 'order_id', type: 'int' }) orderId = 0;
  @PyField({ type: 'float' }) total = 0;
  @PyField({ type: 'int' }) lines = 0;
  @PyField({ type: listOf('str') }) notes: string[] = [];
}
