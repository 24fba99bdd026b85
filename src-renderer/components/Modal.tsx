// A dialog over the studio: Escape or a click outside closes it, focus moves into it and comes back after.
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal({ label, onClose, children, className = '' }: { label: string; onClose(): void; children: ReactNode; className?: string }) {
  const box = useRef<HTMLDivElement>(null);
  // the latest onClose, so the effect below runs once per opening (it moves focus)
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[data-autofocus], button:not(:disabled), input, [tabindex="0"]');
    first?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close.current();
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      before?.focus?.();
    };
  }, []);
  return (
    <div className="modal-back" onClick={onClose}>
      <div ref={box} className={`modal ${className}`} onClick={(e) => e.stopPropagation()} role="dialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}
