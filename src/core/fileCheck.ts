// Web Crypto (crypto.subtle) is a global in browsers, workers and Node: no DOM needed.
/** What a file must be, where the manifest knows it: exact size and SHA-256 (both optional). */
export interface ExpectedFile {
  bytes?: number;
  sha256?: string;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const SHA256_MISMATCH = 'does not match its SHA-256 checksum';

/** Why `bytes` is not the expected file (a phrase to follow the file's name), or undefined when it is. */
export async function fileProblem(bytes: Uint8Array, expected: ExpectedFile): Promise<string | undefined> {
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) return `has ${bytes.byteLength} bytes; ${expected.bytes} were expected`;
  if (expected.sha256 && (await sha256Hex(bytes)) !== expected.sha256) return SHA256_MISMATCH;
  return undefined;
}
