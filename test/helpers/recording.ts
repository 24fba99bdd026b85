// A studio server that records: the station (src-main/station.ts) wires the recorder as
//   this.recorder = startRecorder({ engine, baseDir: dirname(configPath), log });
//   this.studio.attachRecorder(this.recorder);  // recordings in the StudioApi, problems as notices
//   ... stop(): await this.recorder.close(); await this.engine.stop();
// so this only waits for its start-up pass and adds a StudioApi caller over HTTP.

import { createReadStream } from 'node:fs';
import { createFramer } from '../../src-main/engine/protocol/framing/index.js';
import type { AudioFormat } from '../../src-shared/config/schema.js';
import { startStudio, type StudioServer } from './studio.js';
import { ADMIN, basic } from './server.js';

export interface RecordingServer extends StudioServer {
  /** a StudioApi call over HTTP, as the browser makes it */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
}

export async function startRecordingStudio(dir: string, body: string): Promise<RecordingServer> {
  const srv = await startStudio(dir, body);
  await srv.recorder.ready;
  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const res = await fetch(srv.url('/studio/api/call'), {
      method: 'POST',
      headers: { Authorization: basic(ADMIN.user, ADMIN.password), 'Content-Type': 'application/json', 'X-Cycast-Studio': '1' },
      body: JSON.stringify({ method, args }),
    });
    const r = (await res.json()) as { ok: boolean; result?: T; error?: string };
    if (!r.ok) throw new Error(r.error);
    return r.result as T;
  };
  return { ...srv, call };
}

export interface FrameWalk {
  seconds: number;
  frames: number;
  frameBytes: number;
  skippedBytes: number;
  tagBytes: number;
  /** file bytes past the last whole frame */
  trailing: number;
  size: number;
}

/** Walks a file with the engine's framer for its format: the true duration, and anything that is not a frame. */
export async function walkFrames(path: string, format: AudioFormat): Promise<FrameWalk> {
  const framer = createFramer(format);
  const w: FrameWalk = { seconds: 0, frames: 0, frameBytes: 0, skippedBytes: 0, tagBytes: 0, trailing: 0, size: 0 };
  for await (const chunk of createReadStream(path)) {
    w.size += (chunk as Buffer).length;
    for (const f of framer.push(chunk as Buffer)) {
      w.frames++;
      w.frameBytes += f.data.length;
      if (f.sampleRate) w.seconds += f.samples / f.sampleRate;
    }
  }
  w.skippedBytes = framer.skippedBytes;
  w.tagBytes = framer.tagBytes;
  w.trailing = w.size - w.frameBytes - w.skippedBytes - w.tagBytes;
  return w;
}
