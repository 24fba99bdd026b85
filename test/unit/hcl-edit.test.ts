import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { applyHclEdits, hclLiteral } from '../../src-shared/config/hcl-edit.js';
import { repoRoot } from '../helpers/paths.js';

describe('comment-preserving config edits', () => {
  const text = readFileSync(join(repoRoot, 'config/config.hcl'), 'utf8');

  it('changes values in place and leaves every other byte alone', () => {
    const out = applyHclEdits(text, [
      { block: 'server', key: 'listen_port', value: 9001 },
      { block: 'metadata', key: 'station_name', value: 'Radio "Ünï" ${x}' },
      { block: 'playlist', key: 'extensions', value: ['.mp3', '.opus'] },
      { block: 'advanced', key: 'verbose_logging', value: true },
    ]);
    const c = checkConfigText(out).config!;
    assert.equal(c.server.listen_port, 9001);
    assert.equal(c.metadata.station_name, 'Radio "Ünï" ${x}');
    assert.deepEqual(c.playlist.extensions, ['.mp3', '.opus']);
    assert.equal(c.advanced.verbose_logging, true);
    // only the edited lines differ
    const a = text.split('\n');
    const b = out.split('\n');
    assert.equal(a.length, b.length);
    const diff = a.filter((l, i) => l !== b[i]);
    assert.equal(diff.length, 4);
    assert.ok(out.includes('# Port where listeners tune in'));
  });

  it('adds missing keys and blocks, and expands one-line blocks', () => {
    const src = '# my config\nserver {\n    host = "1.2.3.4" # keep me\n}\nbuffer { size_mb = 5 }\n';
    const out = applyHclEdits(src, [
      { block: 'server', key: 'source_port', value: 7000 },
      { block: 'buffer', key: 'size_mb', value: 6 },
      { block: 'metadata', key: 'station_genre', value: 'Jazz' },
      { block: 'mount', label: '/live.ogg', key: 'format', value: 'ogg' },
    ]);
    assert.equal(out, '# my config\nserver {\n    host = "1.2.3.4" # keep me\n    source_port = 7000\n}\nbuffer { size_mb = 6 }\n\nmetadata {\n  station_genre = "Jazz"\n}\n\nmount "/live.ogg" {\n  format = "ogg"\n}\n');
    const out2 = applyHclEdits('buffer { size_mb = 5 }\n', [{ block: 'buffer', key: 'other', value: 1 }]);
    assert.equal(out2, 'buffer {\n  size_mb = 5\n  other = 1\n}\n');
    assert.equal(hclLiteral('a\\b\n'), '"a\\\\b\\n"');
  });
});
