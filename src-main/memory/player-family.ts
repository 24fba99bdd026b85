// The player family of a listener's User-Agent: what the statistics break listeners down by. Families, not
// versions, so the breakdown stays short and a visit row stays small.

/** Checked in order: the first match wins (Edge and Opera say "Chrome" too; Chrome says "Safari"). */
const FAMILIES: [RegExp, string][] = [
  [/\bVLC\b|LibVLC/i, 'VLC'],
  [/\bmpv\b/i, 'mpv'],
  [/\bLavf\/|\bffmpeg|\bffplay|\bffprobe/i, 'ffmpeg'],
  [/iTunes|AppleCoreMedia|\bMusic\/\d|\bPodcasts\//i, 'Apple (iTunes, Music)'],
  [/Winamp|WinampMPEG|Nullsoft/i, 'Winamp'],
  [/foobar2000/i, 'foobar2000'],
  [/NSPlayer|Windows-Media-Player|WMFSDK/i, 'Windows Media Player'],
  [/\bMPlayer\b/i, 'MPlayer'],
  [/GStreamer|Rhythmbox|Amarok|Clementine|Strawberry|Audacious/i, 'Linux desktop player'],
  [/\bKodi\b|\bXBMC\b/i, 'Kodi'],
  [/Sonos/i, 'Sonos'],
  [/Roku/i, 'Roku'],
  [/RadioDroid|ExoPlayer|stagefright|AndroidXMedia|okhttp/i, 'Android app'],
  [/TuneIn|Radio\.?Garden|RadioBOX|myTuner|Streema/i, 'Radio directory app'],
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrom(e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bSafari\/|AppleWebKit/, 'Safari'],
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/Icecast|Liquidsoap|Cycast/i, 'Relay (server)'],
  [/python|Go-http-client|node-fetch|undici|axios|Java\//i, 'Script or bot'],
];

/** At most this much of a User-Agent is looked at: bounded work for any header a client sends. */
const MAX_UA = 512;

export function playerFamily(userAgent: string): string {
  const ua = userAgent.length > MAX_UA ? userAgent.slice(0, MAX_UA) : userAgent;
  if (ua.trim() === '') return 'Unknown';
  for (const [re, name] of FAMILIES) if (re.test(ua)) return name;
  return 'Other';
}
