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

describe('takeToken from the page', () => {
  it('uses the token the server wrote into a page it let in by cookie, over a stale session one', () => {
    const win = new Window({ url: 'http://127.0.0.1:8421/#/curves' });
    win.document.head.innerHTML = '<meta name="alphanet-token" content="fresh">';
    win.sessionStorage.setItem('alphanet.token', 'stale');
    const take = () =>
      takeToken(
        win.location as unknown as Location,
        win.sessionStorage as unknown as Storage,
        win.history as unknown as History,
        win.document as unknown as Document,
      );
    expect(take()).toBe('fresh');
    win.document.head.innerHTML = '';
    expect(take()).toBe('stale');
    win.close();
  });
});
