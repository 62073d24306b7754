// The error of the JSON mapping (json-mapping.ts). No Node imports.
import { PickleError, type PickleErrorCode, type PickleErrorOptions } from '../../errors.js';

/**
 * JSON that does not follow the mapping (fromJson), or a value the mapping has no form for
 * (toJson). `path` says where: a JSON path such as `$.items[3].$int` for fromJson, a path in the
 * value such as `value.items[3]` for toJson; undefined for text that is not JSON at all (the
 * message gives the offset).
 */
export class JsonMappingError extends PickleError {
  override name = 'JsonMappingError';
  static override defaultCode: PickleErrorCode = 'JSON_MAPPING';
  readonly path: string | undefined;

  constructor(message: string, path?: string, options?: PickleErrorOptions) {
    super(path === undefined ? message : `${message} (at ${path})`, options);
    this.path = path;
  }
}
