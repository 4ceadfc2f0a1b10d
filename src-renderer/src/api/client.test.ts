import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { takeToken } from './client.ts';

describe('takeToken (served mode)', () => {
  it('takes the token from the URL, keeps it for reloads, and removes it from the address bar', () => {
    const win = new Window({ url: 'http://127.0.0.1:8421/?token=abc123#/runs' });
    const location = win.location as unknown as Location;
    const storage = win.sessionStorage as unknown as Storage;
    const history = win.history as unknown as History;
    expect(takeToken(location, storage, history)).toBe('abc123');
    expect(win.location.href).toBe('http://127.0.0.1:8421/#/runs');
    expect(takeToken(location, storage, history)).toBe('abc123');
    win.close();
  });
});
