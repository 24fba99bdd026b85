import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { applyHclEdits, hasHclBlock, hclLiteral, removeHclBlock } from '../../src-shared/config/hcl-edit.js';
import { repoRoot } from '../helpers/paths.js';

describe('comment-preserving config edits', () => {
  const text = readFileSync(join(repoRoot, 'config/config.hcl'), 'utf8');

  it('changes values in place and leaves every other byte alone', async () => {
    const out = applyHclEdits(text, [
      { block: 'server', key: 'listen_port', value: 9001 },
      { block: 'metadata', key: 'station_name', value: 'Radio "Ünï" ${x}' },
      { block: 'playlist', key: 'extensions', value: ['.mp3', '.opus'] },
      { block: 'advanced', key: 'verbose_logging', value: true },
    ]);
    const c = (await checkConfigText(out)).config!;
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

describe('removing blocks and keys from config text', () => {
  const src = [
    '# top comment',
    'server {',
    '  host = "127.0.0.1" # why this host',
    '}',
    '',
    '# the hosted server',
    'output "hosted" {',
    '  # a comment inside goes with the block',
    '  mount = "/stream"',
    '  url   = "icecast://source:pw@radio.example.org:8000/live"',
    '} # trailing comment goes too',
    '',
    'output "second" {',
    '  mount = "/stream"',
    '  url = "icecast://source:pw@b.example:8000/b"',
    '  genre = "Jazz" // gone with its key',
    '  public = true',
    '}',
    '',
  ].join('\n');

  it('removes a block in the middle, keeping the comment above it, the blank lines and the other blocks', async () => {
    const out = removeHclBlock(src, 'output', 'hosted');
    assert.equal(out, src.replace('output "hosted" {\n  # a comment inside goes with the block\n  mount = "/stream"\n  url   = "icecast://source:pw@radio.example.org:8000/live"\n} # trailing comment goes too\n', ''));
    assert.ok(out.includes('# the hosted server\n\noutput "second" {'));
    const c = (await checkConfigText(out)).config!;
    assert.deepEqual(c.outputs.map((o) => o.id), ['second']);
    assert.equal(c.server.host, '127.0.0.1');
  });

  it('removes the last block, then the only one left, and the text still parses', async () => {
    const one = removeHclBlock(src, 'output', 'second');
    assert.ok(one.endsWith('} # trailing comment goes too\n'), JSON.stringify(one.slice(-40)));
    const none = removeHclBlock(one, 'output', 'hosted');
    assert.equal(none, '# top comment\nserver {\n  host = "127.0.0.1" # why this host\n}\n\n# the hosted server\n');
    assert.deepEqual((await checkConfigText(none)).config!.outputs, []);
    assert.equal(removeHclBlock(none, 'output', 'hosted'), none, 'no such block: unchanged');
  });

  it('gives back the original text when a block it added is removed', () => {
    const added = applyHclEdits(src, [
      { block: 'output', label: 'new one', key: 'mount', value: '/stream' },
      { block: 'output', label: 'new one', key: 'url', value: 'icecast://source:x@c.example:8000/c' },
    ]);
    assert.ok(added.endsWith('\n\noutput "new one" {\n  mount = "/stream"\n  url = "icecast://source:x@c.example:8000/c"\n}\n'));
    assert.equal(removeHclBlock(added, 'output', 'new one'), src);
    // at the very start of a file too
    const first = 'buffer {\n  size_mb = 2\n}\n\nserver {\n}\n';
    assert.equal(removeHclBlock(first, 'buffer'), 'server {\n}\n');
  });

  it('removes a block written on one line, and a block whose label needs escaping', () => {
    const text = 'server {\n  host = "::1"\n}\nbuffer { size_mb = 5 }\nrelay "/a \\"b\\"" {\n  url = "http://x.example/a"\n}\n';
    assert.equal(removeHclBlock(text, 'buffer'), 'server {\n  host = "::1"\n}\nrelay "/a \\"b\\"" {\n  url = "http://x.example/a"\n}\n');
    assert.equal(removeHclBlock(text, 'relay', '/a "b"'), 'server {\n  host = "::1"\n}\nbuffer { size_mb = 5 }\n');
    assert.equal(hasHclBlock(text, 'relay', '/a "b"'), true);
    assert.equal(hasHclBlock(text, 'relay', '/a'), false);
  });

  it('removes keys with their trailing comment, leaves the rest, and empties a one-line block', async () => {
    const out = applyHclEdits(src, [
      { block: 'output', label: 'second', key: 'genre', value: null },
      { block: 'output', label: 'second', key: 'public', value: null },
      { block: 'output', label: 'second', key: 'absent', value: null },
      { block: 'output', label: 'nowhere', key: 'genre', value: null },
    ]);
    assert.equal(out, src.replace('  genre = "Jazz" // gone with its key\n  public = true\n', ''));
    const o = (await checkConfigText(out)).config!.outputs.find((x) => x.id === 'second')!;
    assert.equal(o.genre, '');
    assert.equal(o.public, null);
    assert.equal(applyHclEdits('buffer { size_mb = 5 }\n', [{ block: 'buffer', key: 'size_mb', value: null }]), 'buffer {}\n');
    assert.equal((await checkConfigText('buffer {}\n')).config!.buffer.size_mb, (await checkConfigText('')).config!.buffer.size_mb);
    // a list over several lines goes whole
    const list = 'playlist {\n  extensions = [\n    ".mp3",\n    ".ogg",\n  ]\n  shuffle = true\n}\n';
    assert.equal(applyHclEdits(list, [{ block: 'playlist', key: 'extensions', value: null }]), 'playlist {\n  shuffle = true\n}\n');
  });
});
