// A failed file or stream operation in words, as the C library's strerror says it (and Python
// prints it): "No such file or directory", not "ENOENT: no such file or directory, open 'x'".

const MESSAGES: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EFBIG: 'File too large',
  EIO: 'Input/output error',
  EPIPE: 'Broken pipe',
  ENXIO: 'No such device or address',
  EMFILE: 'Too many open files',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EINVAL: 'Invalid argument',
};

export function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && Object.hasOwn(MESSAGES, code)) return MESSAGES[code]!;
  return error instanceof Error ? error.message : String(error);
}
