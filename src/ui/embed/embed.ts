// dist/embed.js: defines <flannel-playground>. Load it as a module:
//   <script type="module" src=".../embed.js"></script>
import { FlannelPlayground } from './flannel-playground.ts';

if (!customElements.get('flannel-playground')) {
  customElements.define('flannel-playground', FlannelPlayground);
}

export { FlannelPlayground };
