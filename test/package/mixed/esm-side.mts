// The other half: this file is loaded with `import`, so its pickle-mapper is the package's ESM
// entry. It registers LineItem.
import { defaultRegistry, dumps, loads, pyFloat, Tuple, tuple } from 'pickle-mapper';
import { PyClass, PyField } from 'pickle-mapper/decorators';

export { defaultRegistry, dumps, loads, pyFloat, Tuple, tuple };

@PyClass('shop.LineItem')
export class LineItem {
  @PyField() sku = '';
  @PyField({ type: 'float' }) price = 0;
  @PyField() size: unknown = null;
}
