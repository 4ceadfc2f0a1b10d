import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { warmUpCharts } from './lib/chart-warm-up.ts';
import './styles.css';

createApp(App).use(createPinia()).mount('#app');
warmUpCharts();
