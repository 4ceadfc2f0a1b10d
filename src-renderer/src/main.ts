import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { warmUpCharts } from './lib/chart-warm-up.ts';
import { whenIdle } from './lib/idle.ts';
import { useCurvesStore } from './stores/curves.ts';
import './styles.css';

const pinia = createPinia();
createApp(App).use(pinia).mount('#app');
warmUpCharts();
// Opening Curves then only draws: its runs and curves are fetched while the app is idle.
whenIdle(() => void useCurvesStore(pinia).prefetch());
