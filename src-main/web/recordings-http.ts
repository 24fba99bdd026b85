// /studio/recordings/<file>: a recording's audio for the studio's player (range requests, so it seeks) and,
// with ?download=1, as a download. Behind the studio's admin login like everything under /studio/.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StudioService } from '../studio/service.js';
import { attachmentHeader, sendFileWithRanges } from './file-range.js';

export const RECORDINGS_PATH = '/recordings/';

export async function serveRecording(
  service: StudioService,
  rel: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const text = (status: number, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'GET or HEAD only\n', { Allow: 'GET, HEAD' });
  let id: string;
  try {
    id = decodeURIComponent(rel);
  } catch {
    return text(400, 'malformed recording name\n');
  }
  const file = await service.recordingFile(id);
  if (!file) return text(404, 'no such recording\n');
  const extra: Record<string, string> = url.searchParams.get('download') === '1' ? { 'Content-Disposition': attachmentHeader(id) } : {};
  await sendFileWithRanges(req, res, file.path, file.contentType, { ...headers, ...extra });
}
