// Keeps the store in step with the server: subscribe first, then take the snapshot, so nothing between the
// two is lost; after the link comes back, a fresh snapshot (what happened meanwhile is only there). Events are
// applied in batches, at most every 50 ms (a timer, not an animation frame: a hidden window must keep up too).
import { useEffect } from 'react';
import type { StudioEvent } from '../src-shared/studio-api.js';
import { studio } from './api.js';
import { useStudio } from './store.js';

const BATCH_MS = 50;

export function useStudioFeed(): void {
  useEffect(() => {
    let queue: StudioEvent[] = [];
    let loaded = false;
    let scheduled = false;
    let wasDown = false;
    const schedule = (): void => {
      if (scheduled || !loaded) return;
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        const batch = queue;
        queue = [];
        useStudio.getState().applyAll(batch);
      }, BATCH_MS);
    };
    const load = (): void => {
      studio.snapshot().then(
        (s) => {
          useStudio.getState().load(s);
          loaded = true;
          schedule();
        },
        (e: Error) => {
          // before the first snapshot there is nothing to show; later, the stale view stays (greyed)
          if (!useStudio.getState().ready) useStudio.getState().fail(e.message);
        },
      );
    };
    const off = studio.subscribe(
      (e) => {
        queue.push(e);
        schedule();
      },
      (state) => {
        useStudio.getState().setConnection(state);
        if (state !== 'connected') wasDown = true;
        else if (wasDown) {
          wasDown = false;
          load();
        }
      },
    );
    load();
    return () => off();
  }, []);
}
