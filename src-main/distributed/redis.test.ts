import { describe, expect, it } from 'vitest';
import { int32FromBase64, int32ToBase64, runJobId } from './jobs.ts';
import { checkRedisUrl, quietErrors, redactRedisUrl } from './redis.ts';

describe('Redis URLs', () => {
  it('accepts redis:// and rediss:// with or without a password', () => {
    for (const url of [
      'redis://127.0.0.1:6379',
      'redis://:pw@host:6380/2',
      'rediss://user:pw@redis.lab.example:6380',
      'redis://host',
    ]) {
      expect(checkRedisUrl(url)).toBe(url);
    }
  });

  it('refuses other schemes and non-URLs, never echoing the password', () => {
    expect(() => checkRedisUrl('localhost:6379')).toThrow(/scheme must be redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl('http://:hunter2@host')).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl('http://:hunter2@host')).not.toThrow(/hunter2/);
    expect(() => checkRedisUrl('not a url')).toThrow(/is not a Redis URL/);
  });

  it('hides the password in what it prints', () => {
    expect(redactRedisUrl('redis://:hunter2@host:6379')).toBe('redis://:***@host:6379');
    expect(redactRedisUrl('rediss://me:hunter2@host')).toBe('rediss://me:***@host');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('logs a repeated connection error once until another one comes', () => {
    const lines: string[] = [];
    const onError = quietErrors((l) => lines.push(l));
    for (let i = 0; i < 5; i++) onError(new Error('connect ECONNREFUSED'));
    onError(new Error('NOAUTH'));
    expect(lines).toEqual(['redis: connect ECONNREFUSED', 'redis: NOAUTH']);
  });
});

describe('job payloads', () => {
  it('names a run job by coordinator, run and generation', () => {
    expect(runJobId('abc', 12, 3)).toBe('abc-12-3');
  });

  it('carries Int32 arrays exactly as base64', () => {
    const a = Int32Array.from([0, -1, 2 ** 31 - 1, -(2 ** 31), 42]);
    expect(int32FromBase64(int32ToBase64(a))).toEqual(a);
    expect(int32FromBase64(int32ToBase64(a.subarray(1, 3)))).toEqual(Int32Array.from([-1, 2 ** 31 - 1]));
  });
});
