import { mount } from 'svelte';
import App from './App.svelte';
import { resolvePageLab } from './page-lab.ts';

const target = document.getElementById('app');
if (!target) throw new Error('no #app element');
const page = await resolvePageLab(location.search, location.hash);
export default mount(App, { target, props: { page } });
