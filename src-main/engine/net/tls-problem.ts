// What went wrong with a TLS connection to an upstream, in words a person can act on: node:tls reports
// OpenSSL's verification codes ("DEPTH_ZERO_SELF_SIGNED_CERT") and Node's own ("ERR_TLS_CERT_ALTNAME_INVALID").

/** The parts of a TLS error this reads (Node sets `reason` and `cert` on a hostname mismatch). */
export interface TlsError {
  code?: string;
  message: string;
  reason?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string } };
}

const VERIFY: Record<string, (host: string) => string> = {
  CERT_HAS_EXPIRED: (h) => `the certificate for ${h} has expired`,
  CERT_NOT_YET_VALID: (h) => `the certificate for ${h} is not valid yet (check this machine's clock)`,
  DEPTH_ZERO_SELF_SIGNED_CERT: (h) => `the certificate for ${h} is self-signed and not trusted (trust it with tls_ca_file)`,
  SELF_SIGNED_CERT_IN_CHAIN: (h) => `the certificate for ${h} comes from a certificate authority that is not trusted (a private CA? trust it with tls_ca_file)`,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: (h) => `the certificate for ${h} is signed by an unknown certificate authority (a private CA? trust it with tls_ca_file)`,
  UNABLE_TO_GET_ISSUER_CERT: (h) => `the certificate for ${h} is signed by an unknown certificate authority (a private CA? trust it with tls_ca_file)`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: (h) => `the certificate for ${h} cannot be verified: the server sends no chain to a trusted certificate authority`,
  CERT_SIGNATURE_FAILURE: (h) => `the certificate for ${h} has a bad signature`,
  CERT_REVOKED: (h) => `the certificate for ${h} has been revoked`,
  CERT_UNTRUSTED: (h) => `the certificate for ${h} is not trusted for this purpose`,
  CERT_CHAIN_TOO_LONG: (h) => `the certificate chain of ${h} is too long`,
};

/**
 * The reason a TLS connection to `host` (shown as host:port in `where`) failed, or null when the error is not
 * about TLS (a refused or reset TCP connection): the caller reports those itself.
 */
export function tlsProblem(e: TlsError, host: string, where: string): string | null {
  const code = e.code ?? '';
  const verify = VERIFY[code];
  if (verify) return verify(host);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = e.cert?.subjectaltname || (e.cert?.subject?.CN ? `CN=${e.cert.subject.CN}` : 'no names');
    return `hostname mismatch: ${where} sends a certificate for ${names.slice(0, 200)}, not for ${host}`;
  }
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST/.test(code)) return `${where} does not speak TLS (an http:// server? use http:// in the URL)`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `the TLS handshake with ${where} failed: ${e.message.slice(0, 200)}`;
  return null;
}
