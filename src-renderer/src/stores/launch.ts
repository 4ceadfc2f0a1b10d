import { defineStore } from 'pinia';
import { ref } from 'vue';
import { defaultRunConfig } from '../../../src-shared/config.ts';
import { formFromConfig, type LaunchForm } from '../lib/launch-form.ts';

/** The launch form, kept while the user visits other views. */
export const useLaunchStore = defineStore('launch', () => {
  const form = ref<LaunchForm>(formFromConfig(defaultRunConfig(''), ''));
  function reset(dataset: string): void {
    form.value = formFromConfig(defaultRunConfig(dataset), '');
  }
  return { form, reset };
});
