// A studio server that records, wired the way the composition root does it:
//   const recorder = startRecorder({ engine, baseDir: dirname(configPath), log });
//   service.attachRecorder(recorder);           // recordings in the StudioApi, problems as notices
//   ... on shutdown: await recorder.close(); await engine.stop();

import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { startRecorder, type Recorder, type RecorderOptions } from '../../src-main/recording/recorder.js';
import { createFramer } from '../../src-main/engine/protocol/framing/index.js';
import type { AudioFormat } from '../../src-shared/config/schema.js';
import { startStudio, type StudioServer } from './studio.js';
import { ADMIN, basic } from './server.js';

export interface RecordingServer extends StudioServer {
  recorder: Recorder;
  /** a StudioApi call over HTTP, as the browser makes it */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
}

export async function startRecordingStudio(dir: string, body: string, opts: Omit<RecorderOptions, 'engine'> = {}): Promise<RecordingServer> {
  const srv = await startStudio(dir, body);
  const recorder = startRecorder({ engine: srv.engine, baseDir: dirname(srv.configPath), log: srv.engine.log, ...opts });
  srv.service.attachRecorder(recorder);
  await recorder.ready;
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
  return {
    ...srv,
    recorder,
    call,
    stop: async () => {
      await recorder.close();
      await srv.stop();
    },
  };
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
