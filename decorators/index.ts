// pickle-mapper/decorators: decorator syntax over the registry. The decorators themselves
// (@PyClass, @PyField) arrive with the object mapper; until then this entry exposes the
// plain-function registry API they will write into, so the subpath is already stable.
export { Registry, defaultRegistry, type PyClassHandler, type LoadContext } from '../src/registry.js';
