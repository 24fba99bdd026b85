// The embeddable player (/embed?mount=/stream): one mount's play button and title, small enough for an
// iframe on another site. The same script as the listener page drives it.

import { xmlEscape as esc } from '../protocol/untrusted.js';
import type { NowPlayingDocument, NowPlayingMount } from './now-playing.js';
import { formatLabel, pageHead, playerBlock, type PageAssets } from './listener-page.js';

export function embedPage(doc: NowPlayingDocument, m: NowPlayingMount, base: string, assets: PageAssets): string {
  return `${pageHead(`${m.name} player`, m.description, 'embed', assets)}<main>
<section class="mount" data-mount="${esc(m.mount)}" data-type="${esc(m.content_type)}" aria-label="${esc(m.name)}">
${playerBlock(m, 'e', 2)}
<p class="station-line"><a href="${esc(base)}/" target="_blank" rel="noopener">${esc(m.name || doc.station.name)}</a> <small>${esc(formatLabel(m))}</small></p>
</section>
</main>
</body>
</html>
`;
}
