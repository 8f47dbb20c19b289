import { describe, expect, test } from 'vitest';
import { isQuotaError, quotaExceeded, spaceShortfall } from '../../src/core/storage.ts';

const MB = 2 ** 20;

describe('storage numbers in words', () => {
  test('a download that fits exactly passes; one byte more is refused with what is free, used, allowed and missing', () => {
    expect(spaceShortfall('Downloading "X"', 100 * MB, { usage: 900 * MB, quota: 1000 * MB })).toBeUndefined();
    const e = spaceShortfall('Downloading "X"', 100 * MB + 1, { usage: 900 * MB, quota: 1000 * MB });
    expect(e).toMatchObject({ code: 'storage-full' });
    expect(e!.message).toMatch(/^Downloading "X" needs 100 MB of storage, but only 100 MB is free \(900 MB used of the 1000 MB this browser allows this site\)\. Free at least 1 B\./);
  });

  test('usage above the quota counts as nothing free', () => {
    expect(spaceShortfall('D', 1, { usage: 2 * MB, quota: MB })!.message).toMatch(/only 0 B is free/);
  });

  test('a quota error names the file and keeps earlier models; without numbers it says so without inventing any', () => {
    expect(quotaExceeded('https://x/unet.onnx', 5 * MB, { usage: 1, quota: 2 }).message).toMatch(/https:\/\/x\/unet\.onnx \(5\.0 MB\) could not be kept \(1 B used of the 2 B/);
    expect(quotaExceeded('u', 1, undefined).message).toMatch(/could not be kept\. Models cached before are untouched\./);
  });

  test('quota errors are recognised by name or message, other errors are not', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('Transaction aborted: quota exceeded'))).toBe(true);
    expect(isQuotaError(new Error('network'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });
});
