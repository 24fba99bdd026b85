// CORS for stream and API answers: browser players may read the stream's icy-* headers and send
// Icy-MetaData; the preflight is answered with the same set.

export const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Origin, Accept, X-Requested-With, Content-Type, Icy-MetaData, Range',
  'Access-Control-Allow-Methods': 'GET, OPTIONS, HEAD',
  'Access-Control-Expose-Headers': 'icy-br, icy-description, icy-genre, icy-metaint, icy-name, icy-pub, icy-url, ice-audio-info, Content-Type',
};
