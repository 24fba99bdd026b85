// Test audio made by ffmpeg once per run (sine tones, so a decode error is a real error).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(tmpdir(), `cycast-test-audio-${process.pid}`);

export type Fixture = 'mp3' | 'mp3-id3' | 'ogg' | 'opus' | 'aac' | 'mp3-mono-22k';

const RECIPES: Record<Fixture, { file: string; args: string[] }> = {
  mp3: { file: 'tone.mp3', args: ['-ac', '2', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', '-write_xing', '0', '-id3v2_version', '0'] },
  'mp3-id3': { file: 'tagged.mp3', args: ['-ac', '2', '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', '-metadata', 'title=Tagged Tone', '-metadata', 'artist=Test', '-write_id3v1', '1'] },
  'mp3-mono-22k': { file: 'mono22.mp3', args: ['-ac', '1', '-ar', '22050', '-c:a', 'libmp3lame', '-b:a', '32k', '-write_xing', '0', '-id3v2_version', '0'] },
  ogg: { file: 'tone.ogg', args: ['-ac', '2', '-ar', '44100', '-c:a', 'libvorbis', '-q:a', '4'] },
  opus: { file: 'tone.opus', args: ['-ac', '2', '-c:a', 'libopus', '-b:a', '96k', '-f', 'ogg'] },
  aac: { file: 'tone.aac', args: ['-ac', '2', '-ar', '44100', '-c:a', 'aac', '-b:a', '128k', '-f', 'adts'] },
};

/** Path of a fixture file of `seconds` length (made on first use). */
export function fixture(kind: Fixture, seconds = 10): string {
  mkdirSync(DIR, { recursive: true });
  const r = RECIPES[kind];
  const path = join(DIR, `${seconds}s-${r.file}`);
  if (!existsSync(path)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=523:sample_rate=44100:duration=${seconds}`, ...r.args, path]);
  }
  return path;
}

/** Decodes a capture with ffmpeg; returns its stderr (errors) and the decoded duration in seconds. */
export function decode(path: string, format?: string): { errors: string; duration: number } {
  const args = ['-hide_banner', '-v', 'error', ...(format ? ['-f', format] : []), '-i', path, '-f', 'null', '-'];
  let errors = '';
  try {
    execFileSync('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    errors = String((e as { stderr?: Buffer }).stderr ?? e);
  }
  const out = execFileSync('ffprobe', ['-v', 'error', ...(format ? ['-f', format] : []), '-show_entries', 'format=duration', '-of', 'csv=p=0', path]).toString().trim();
  return { errors, duration: Number.parseFloat(out) };
}

export function ffprobeStreams(path: string): { codec_name: string; sample_rate?: string; channels?: number }[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', path]).toString();
  return JSON.parse(out).streams;
}

export interface TrackSpec {
  seconds: number;
  freq?: number;
  title?: string;
  artist?: string;
  /** mp3 (default), ogg (Vorbis), opus, aac */
  codec?: 'mp3' | 'ogg' | 'opus' | 'aac';
  sampleRate?: number;
  /** keep ffmpeg's ID3v2 tag and LAME Info frame (as real files have) */
  tags?: boolean;
}

/** Makes a music file with ffmpeg: a tone, tagged like a real track. */
export function makeTrack(path: string, spec: TrackSpec): string {
  const codec = spec.codec ?? 'mp3';
  const rate = spec.sampleRate ?? (codec === 'opus' ? 48000 : 44100);
  const enc: Record<string, string[]> = {
    mp3: ['-c:a', 'libmp3lame', '-b:a', '128k', ...(spec.tags === false ? ['-write_xing', '0', '-id3v2_version', '0'] : ['-id3v2_version', '3']), '-f', 'mp3'],
    ogg: ['-c:a', 'libvorbis', '-q:a', '3', '-f', 'ogg'],
    opus: ['-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg'],
    aac: ['-c:a', 'aac', '-b:a', '96k', '-f', 'adts'],
  };
  const meta = [...(spec.title ? ['-metadata', `title=${spec.title}`] : []), ...(spec.artist ? ['-metadata', `artist=${spec.artist}`] : [])];
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${spec.freq ?? 440}:sample_rate=${rate}:duration=${spec.seconds}`, '-ac', '2', '-ar', String(rate), ...meta, ...enc[codec], path]);
  return path;
}
