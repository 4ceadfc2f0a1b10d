/** Hash routes (`#/runs?experiment=x`): the app works from file:// in Electron and from / when served. */
import { reactive } from 'vue';

export type ViewName = 'datasets' | 'launch' | 'runs' | 'curves' | 'compare' | 'hparams' | 'inspector';
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
  const view = VIEWS.find((v) => v.name === path)?.name ?? 'datasets';
  return { view, query: Object.fromEntries(new URLSearchParams(search)) };
}

export function hashOf(view: ViewName, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `#/${view}${search ? `?${search}` : ''}`;
}

export const route = reactive<Route>(parseHash(window.location.hash));

window.addEventListener('hashchange', () => Object.assign(route, parseHash(window.location.hash)));

export function navigate(view: ViewName, query: Record<string, string> = {}): void {
  window.location.hash = hashOf(view, query);
}
