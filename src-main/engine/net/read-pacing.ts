// Lets a source's socket leave its bytes in the kernel between the mount's writes (stream/broadcaster.ts,
// PacedInput). Node has no public way to stop a server socket reading: pause() only holds back 'data'
// events while the handle goes on reading every packet into the stream's buffer, one wakeup each. The
// handle's own readStop/readStart, which net.Socket uses for backpressure, do stop it; its `reading` flag
// is left true so that the stream, which starts a handle it believes stopped, leaves it alone.

import type { Socket } from 'node:net';
import type { PacedInput } from '../stream/broadcaster.js';

interface StreamHandle {
  readStop(): number;
  readStart(): number;
  reading?: boolean;
}

/** A PacedInput over `socket`, or null where the socket has no such handle (then it is read as bytes come). */
export function pacedSocket(socket: Socket): PacedInput | null {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  if (!handle || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function') return null;
  const h = handle as StreamHandle;
  let stopped = false;
  const usable = (): boolean => !socket.destroyed && (socket as unknown as { _handle?: unknown })._handle === h && h.reading !== false;
  return {
    pause() {
      if (stopped || !usable()) return;
      h.readStop();
      stopped = true;
    },
    resume() {
      if (!stopped) return;
      stopped = false;
      if (usable()) h.readStart();
    },
  };
}
