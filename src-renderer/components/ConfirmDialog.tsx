// The one "are you sure?" of the studio, driven by the store's `ask`.
import { useCallback } from 'react';
import { useStudio } from '../store.js';
import { Modal } from './Modal.js';

export function ConfirmDialog() {
  const c = useStudio((s) => s.confirmation);
  const answer = useStudio((s) => s.answer);
  const no = useCallback(() => answer(false), [answer]);
  if (!c) return null;
  return (
    <Modal label={c.title} onClose={no} className="confirm">
      <h3>{c.title}</h3>
      <p>{c.body}</p>
      <div className="modal-actions">
        <button onClick={no} data-autofocus>
          Cancel
        </button>
        <button className="danger" onClick={() => answer(true)}>
          {c.confirm}
        </button>
      </div>
    </Modal>
  );
}
