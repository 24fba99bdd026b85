import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfigText } from '../../src-main/config/load.js';
import { MOUNT_SCHEMA, SCHEMA } from '../../src-shared/config/schema.js';
import { repoRoot } from '../helpers/paths.js';

async function errorsOf(text: string) {
  const r = await checkConfigText(text);
  assert.equal(r.config, null, 'expected the config to be refused');
  return r.errors;
}

describe('config.hcl schema', () => {
  const cycastDir = resolve(repoRoot, '../shared/cycast-configs');
  const docs = existsSync(cycastDir) ? readdirSync(cycastDir).filter((f) => f.endsWith('.hcl')) : [];
  it('finds the Cycast documentation configs beside the repository', { skip: docs.length ? false : 'shared/cycast-configs not present' }, () => {
    assert.ok(docs.length >= 6);
  });
  for (const f of docs) {
    it(`loads Cycast's ${f} unchanged`, async () => {
      const r = await checkConfigText(readFileSync(join(cycastDir, f), 'utf8'));
      assert.deepEqual(r.errors, []);
      assert.ok(r.config);
    });
  }

  it('loads a config with every Cycast block (own fixture) and keeps its values', async () => {
    const r = await checkConfigText(`
server {
  host = "127.0.0.1"
  source_port = 9000
  listen_port = 9001
  source_password = "pw"
  mount_point = "/live"
}
buffer { size_mb = 20 }
playlist {
  directory = "./songs"
  shuffle = false
  extensions = [".mp3", ".ogg", ".opus"]
}
broadcaster {
  chunk_size = 16384
  sleep_high = 0.0005
  sleep_medium = 0.001
  sleep_low = 0.002
}
metadata {
  station_name = "Ünïcode FM"
  enable_icy = false
  icy_metaint = 8192
}
advanced {
  max_listeners = 500
  source_timeout = 5.5
  flask_debug = true
  flask_secret_key = "x"
}
`);
    assert.deepEqual(r.errors, []);
    const c = r.config!;
    assert.equal(c.server.source_port, 9000);
    assert.equal(c.buffer.size_mb, 20);
    assert.deepEqual(c.playlist.extensions, ['.mp3', '.ogg', '.opus']);
    assert.equal(c.metadata.station_name, 'Ünïcode FM');
    assert.equal(c.advanced.source_timeout, 5.5);
    assert.equal(c.mounts[0].path, '/live');
    assert.equal(c.mounts[0].icy_metaint, 8192);
    assert.equal(c.mounts[0].enable_icy, false);
    // compatibility-only keys are accepted with a notice, never silently
    const noticed = r.notices.map((n) => n.path).sort();
    assert.deepEqual(noticed, ['advanced.flask_debug', 'advanced.flask_secret_key', 'broadcaster.sleep_high', 'broadcaster.sleep_low', 'broadcaster.sleep_medium']);
    assert.ok(r.notices.every((n) => n.line && /no effect/.test(n.message)));
  });

  it('reports a value out of range with its position', async () => {
    const [e] = await errorsOf('buffer {\n  size_mb = 5000\n}\n');
    assert.equal(e.message, 'buffer.size_mb must be between 1 and 1000, got 5000');
    assert.deepEqual([e.line, e.column], [2, 3]);
  });

  it('reports an unknown key with a did-you-mean', async () => {
    const [e] = await errorsOf('server {\n  sorce_port = 8000\n}\n');
    assert.match(e.message, /unknown setting "sorce_port" in the server block; did you mean "source_port"\?/);
    assert.deepEqual([e.line, e.column], [2, 3]);
    const [b] = await errorsOf('servr {\n}\n');
    assert.match(b.message, /unknown block "servr"; did you mean "server"\?/);
    const [m] = await errorsOf('server {\n  station_name = "x"\n}\n');
    assert.match(m.message, /"station_name" belongs in the metadata \{ \} block/);
    const [t] = await errorsOf('source_port = 8000\n');
    assert.match(t.message, /must be inside the server \{ \} block/);
  });

  it('lists every error at once, in file order, with types named', async () => {
    const errs = await errorsOf(`server {
  source_port = "8000"
  listen_port = 70000
  host = 5
  mount_point = "stream"
}
metadata { enable_icy = "yes" }
playlist { extensions = "mp3" }
advanced { max_listeners = 1.5 }
mount "/x" { format = "wav" }
`);
    assert.deepEqual(errs.map((e) => e.line), [2, 3, 4, 5, 7, 8, 9, 10]);
    assert.match(errs[0].message, /server.source_port must be a whole number, got "8000" \(a string\)/);
    assert.match(errs[1].message, /between 0 and 65535, got 70000/);
    assert.match(errs[3].message, /must be a URL path starting with "\/"/);
    assert.match(errs[4].message, /must be true or false/);
    assert.match(errs[5].message, /list of strings/);
    assert.match(errs[6].message, /whole number, got 1.5/);
    assert.match(errs[7].message, /must be one of "mp3", "ogg", "aac", got "wav"/);
  });

  it('reports a syntax error with line, column and a sentence', async () => {
    const [e] = await errorsOf('server {\n  listen_port = 8001\n  host = "0.0.0.0\n}\n');
    assert.deepEqual([e.line, e.column], [3, 10]);
    assert.match(e.message, /string is never closed/);
  });

  it('builds mounts from mount blocks, inheriting unset keys', async () => {
    const r = await checkConfigText(`
server { source_password = "main" }
broadcaster { burst_size = 1000 }
mount "/stream" { max_listeners = 5 }
mount "/live.ogg" {
  format = "ogg"
  source_password = "other"
  station_name = "Ogg FM"
  queue_size = 100000
}
`);
    assert.deepEqual(r.errors, []);
    const [main, ogg] = r.config!.mounts;
    assert.equal(main.path, '/stream');
    assert.equal(main.max_listeners, 5);
    assert.equal(main.source_password, 'main');
    assert.equal(main.burst_size, 1000);
    assert.equal(ogg.format, 'ogg');
    assert.equal(ogg.source_password, 'other');
    assert.equal(ogg.station_name, 'Ogg FM');
    assert.equal(ogg.burst_size, 1000);
    assert.equal(ogg.queue_size, 100000);
    const dup = await errorsOf('mount "/a" { }\nmount "/a" { }\n');
    assert.match(dup[0].message, /defined more than once/);
    const unknown = await errorsOf('mount "/a" {\n  formt = "mp3"\n}\n');
    assert.match(unknown[0].message, /did you mean "format"/);
    assert.equal(unknown[0].line, 2);
  });

  it('documents every key of the schema in the bundled config.hcl', async () => {
    const text = readFileSync(join(repoRoot, 'config/config.hcl'), 'utf8');
    const r = await checkConfigText(text);
    assert.deepEqual(r.errors, []);
    for (const [block, keys] of Object.entries(SCHEMA)) {
      assert.match(text, new RegExp(`^${block} \\{`, 'm'), `block ${block}`);
      for (const key of Object.keys(keys)) assert.match(text, new RegExp(`\\b${key}\\b`), `${block}.${key}`);
    }
    for (const key of Object.keys(MOUNT_SCHEMA)) {
      if (key !== 'public' && key !== 'source_user' && key !== 'station_description' && key !== 'station_genre' && key !== 'station_url' && key !== 'enable_icy') {
        assert.match(text, new RegExp(`#\\s+${key}\\s+=`), `mount.${key} in the commented example`);
      }
    }
  });
});
