// How a Python global is named: what registrations (registerClass, registerEnum,
// registerNamedTuple, @PyClass) take, as 'pkg.mod.Name' or { module, name }.

/** A Python qualified name: module plus qualname (which may hold dots: `Outer.Inner`). */
export interface PythonName {
  module: string;
  name: string;
}

/** Splits `'pkg.mod.Name'` at its last dot; use `{ module, name }` for nested qualnames. */
export function parsePythonName(text: string | PythonName): PythonName {
  if (typeof text !== 'string') return text;
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || dot === text.length - 1) {
    throw new TypeError(`'${text}' is not a qualified Python name such as 'module.Class'`);
  }
  return { module: text.slice(0, dot), name: text.slice(dot + 1) };
}
