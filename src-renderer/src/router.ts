/** Hash routes (`#/runs?experiment=x`): the app works from file:// in Electron and from / when served. */
import { reactive, watch } from 'vue';

/** `run` is one run's page (`#/runs/12`), reached from the Runs table and wherever a run is named. */
export type ViewName = 'datasets' | 'launch' | 'runs' | 'run' | 'curves' | 'compare' | 'hparams' | 'inspector';
export const VIEWS: readonly { name: ViewName; title: string; key: string }[] = [
  { name: 'datasets', title: 'Datasets', key: '1' },
  { name: 'launch', title: 'Launch', key: '2' },
  { name: 'runs', title: 'Runs', key: '3' },
  { name: 'curves', title: 'Curves', key: '4' },
  { name: 'compare', title: 'Compare', key: '5' },
  { name: 'hparams', title: 'HParams', key: '6' },
  { name: 'inspector', title: 'Inspector', key: '7' },
];

export interface Route {
  view: ViewName;
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?');
  const query = Object.fromEntries(new URLSearchParams(search));
  const run = /^runs\/(\d+)$/.exec(path);
  if (run) return { view: 'run', query: { ...query, id: run[1] } };
  const view = VIEWS.find((v) => v.name === path)?.name ?? 'datasets';
  return { view, query };
}

export function hashOf(view: ViewName, query: Record<string, string> = {}): string {
  if (view === 'run') {
    const { id, ...rest } = query;
    return runHash(Number(id), rest);
  }
  const search = new URLSearchParams(query).toString();
  return `#/${view}${search ? `?${search}` : ''}`;
}

/** A run page's link: `#/runs/12`. */
export function runHash(id: number, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `#/runs/${id}${search ? `?${search}` : ''}`;
}

export const route = reactive<Route>(parseHash(window.location.hash));

window.addEventListener('hashchange', () => Object.assign(route, parseHash(window.location.hash)));

export function navigate(view: ViewName, query: Record<string, string> = {}): void {
  window.location.hash = hashOf(view, query);
}

/**
 * Keeps a view's screen in its link: every change of `query` replaces the link (no history entry per
 * slider step), so a reload or a shared link restores the screen. Returns the writer, for the view to
 * call once it has applied the link it came by.
 */
export function linkFollows(view: ViewName, query: () => Record<string, string>): () => void {
  const write = (): void => {
    if (route.view !== view) return;
    const hash = hashOf(view, query());
    if (hash === window.location.hash) return;
    window.history.replaceState(window.history.state, '', hash);
    route.query = { ...query() };
  };
  watch(query, write);
  return write;
}
