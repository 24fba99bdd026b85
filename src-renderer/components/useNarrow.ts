import { useEffect, useState } from 'react';

/** The width below which the studio takes its phone layout (kept equal to the CSS media query). */
export const NARROW_QUERY = '(max-width: 720px)';

/** True in the phone layout; follows window resizes. */
export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW_QUERY).matches);
  useEffect(() => {
    const mq = window.matchMedia(NARROW_QUERY);
    const on = (): void => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return narrow;
}
