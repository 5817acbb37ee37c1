// One bundle for every window: the window's label picks the root component.
import { mount, type Component } from 'svelte';
import { getCurrentWindow } from '@tauri-apps/api/window';
import './app.css';

/** The window label, or `main` outside Tauri (a plain browser while developing). */
function windowLabel(): string {
  try {
    return getCurrentWindow().label;
  } catch {
    return 'main';
  }
}

async function rootFor(label: string): Promise<Component> {
  switch (label) {
    case 'quick-capture':
      return (await import('./lib/quickcapture/QuickCapture.svelte')).default;
    case 'tv':
      return (await import('./lib/tv/TvApp.svelte')).default;
    default:
      return (await import('./App.svelte')).default;
  }
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const label = windowLabel();
document.documentElement.dataset.window = label;
export default mount(await rootFor(label), { target });
