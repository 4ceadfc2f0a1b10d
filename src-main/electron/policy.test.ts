import { describe, expect, it } from 'vitest';
import { flipFuses, FUSE_INDEX, WORKBENCH_FUSES } from './fuses.ts';
import { devServerUrl, externalLinkAllowed, isAppUrl } from './policy.ts';

describe('the Electron window policy', () => {
  it('opens only https links to the allowed hosts in the browser', () => {
    expect(externalLinkAllowed('https://github.com/some/repo')).toBe(true);
    for (const url of [
      'http://github.com/',
      'https://evil.example/',
      'https://github.com.evil.example/',
      'https://user@github.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'not a url',
    ]) {
      expect(externalLinkAllowed(url), url).toBe(false);
    }
  });

  it('loads a dev server only unpackaged and on loopback http', () => {
    expect(devServerUrl('http://localhost:5173/', false)).toBe('http://localhost:5173/');
    expect(devServerUrl('http://127.0.0.1:5173', false)).toBe('http://127.0.0.1:5173/');
    expect(devServerUrl('http://localhost:5173/', true)).toBeNull();
    for (const url of [
      'https://evil.example/',
      'http://evil.example:5173/',
      'http://user@localhost:1/',
      'file:///tmp/x.html',
      '',
    ]) {
      expect(devServerUrl(url, false), url).toBeNull();
    }
    expect(devServerUrl(undefined, false)).toBeNull();
  });

  it('keeps the window on the app: the same file, or the dev server origin', () => {
    const file = 'file:///opt/app/out/renderer/index.html';
    expect(isAppUrl('file:///opt/app/out/renderer/index.html#/runs', file)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false);
    expect(isAppUrl('https://evil.example/', file)).toBe(false);
    expect(isAppUrl('http://localhost:5173/#/compare', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });
});

describe('Electron fuses', () => {
  /** A fake binary: padding, the v1 fuse block (8 fuses, all on), padding. */
  function fakeBinary(fuseBytes = '11111111'): Buffer {
    return Buffer.concat([
      Buffer.alloc(100, 7),
      Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
      Buffer.from([1, fuseBytes.length]),
      Buffer.from(fuseBytes),
      Buffer.alloc(50, 9),
    ]);
  }
  const fuseAt = (b: Buffer, index: number) => String.fromCharCode(b[100 + 32 + 2 + index]);

  it('turns runAsNode and --inspect off and asar-only loading on, touching nothing else', () => {
    const bin = fakeBinary();
    const before = Buffer.from(bin);
    expect(flipFuses(bin, WORKBENCH_FUSES)).toBe(4);
    expect(fuseAt(bin, FUSE_INDEX.runAsNode)).toBe('0');
    expect(fuseAt(bin, FUSE_INDEX.enableNodeCliInspectArguments)).toBe('0');
    expect(fuseAt(bin, FUSE_INDEX.enableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(fuseAt(bin, FUSE_INDEX.onlyLoadAppFromAsar)).toBe('1');
    expect(fuseAt(bin, FUSE_INDEX.grantFileProtocolExtraPrivileges)).toBe('0');
    const diff = [...bin].flatMap((b, i) => (b === before[i] ? [] : [i]));
    expect(diff.every((i) => i >= 134 && i < 142)).toBe(true);
    expect(flipFuses(bin, WORKBENCH_FUSES)).toBe(0);
  });

  it('refuses a file without exactly one known fuse block', () => {
    expect(() => flipFuses(Buffer.alloc(1000), WORKBENCH_FUSES)).toThrow(/no fuse block/);
    expect(() => flipFuses(Buffer.concat([fakeBinary(), fakeBinary()]), WORKBENCH_FUSES)).toThrow(/more than one/);
    const v2 = fakeBinary();
    v2[132] = 2;
    expect(() => flipFuses(v2, WORKBENCH_FUSES)).toThrow(/wire version 2/);
    expect(() => flipFuses(fakeBinary('111111'), WORKBENCH_FUSES)).toThrow(/has 6 fuses/);
    expect(() => flipFuses(fakeBinary('r1111111'), WORKBENCH_FUSES)).toThrow(/runAsNode is removed/);
  });
});
