// Pure helpers for recording files: names a person can find ("2026-12-01 20-15 Stream Name.mp3") and the
// .cue sheet of a show's titles.

/** Characters that break a file name on some system (Windows, macOS, Linux), or a shell line. */
const UNSAFE = /[\u0000-\u001f\u007f/\\:*?"<>|]/g;
const MAX_NAME_CHARS = 80;

/** A stream name made safe for a file name: unsafe characters become "_", at most 80 characters, never empty. */
export function safeName(name: string, fallback = 'Live'): string {
  let s = name.normalize('NFC').replace(UNSAFE, '_').replace(/\s+/g, ' ').trim();
  // a leading dot hides the file; trailing dots and spaces are dropped by Windows
  s = s.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  const chars = [...s];
  if (chars.length > MAX_NAME_CHARS) s = chars.slice(0, MAX_NAME_CHARS).join('').trimEnd();
  return s || fallback;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-01 20-15": the local date and time a show began, sortable and valid in every file system. */
export function stamp(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}-${two(d.getMinutes())}`;
}

/** The base name (no extension) of a show's files; `n` > 1 tells apart shows that began in the same minute. */
export function recordingBase(startedAt: number, streamName: string, n = 1): string {
  return `${stamp(startedAt)} ${safeName(streamName)}${n > 1 ? ` (${n})` : ''}`;
}

/** The file extension for a recording of this format and codec. */
export function extensionFor(format: 'mp3' | 'ogg' | 'aac', codec: string): string {
  if (format === 'mp3') return '.mp3';
  if (format === 'aac') return '.aac';
  return codec === 'Opus' ? '.opus' : '.ogg';
}

export interface CueTitle {
  offset: number;
  title: string;
}

/** CUE time: minutes, seconds and frames of 1/75 s. */
function cueTime(seconds: number): string {
  const frames = Math.max(0, Math.round(seconds * 75));
  return `${two(Math.floor(frames / 4500))}:${two(Math.floor(frames / 75) % 60)}:${two(frames % 75)}`;
}

/** A cue string: double quotes would end it early, line breaks would end the line. */
const cueText = (s: string): string => s.replace(/["\u0000-\u001f\u007f]/g, "'");

/**
 * A .cue sheet of the titles: one track per title. A cue's first track must begin at 0, so a show whose first
 * title came later gets a first track named after the show.
 */
export function cueSheet(file: string, format: 'mp3' | 'ogg' | 'aac', show: string, titles: readonly CueTitle[]): string {
  const tracks = titles.length && titles[0].offset < 0.5 ? [...titles] : [{ offset: 0, title: show }, ...titles];
  const type = format === 'mp3' ? 'MP3' : 'WAVE';
  const lines = [`TITLE "${cueText(show)}"`, `FILE "${cueText(file)}" ${type}`];
  tracks.slice(0, 99).forEach((t, i) => {
    lines.push(`  TRACK ${two(i + 1)} AUDIO`, `    TITLE "${cueText(t.title)}"`, `    INDEX 01 ${cueTime(i === 0 ? 0 : t.offset)}`);
  });
  return lines.join('\r\n') + '\r\n';
}
