/** One line of the doctor's answer: a check that held (✓) or did not (✗, with what to do about it). */
export interface Finding {
  ok: boolean;
  /** What was checked and what was seen. */
  what: string;
  /** For a ✗: what to do. */
  fix?: string;
}

export const ok = (what: string): Finding => ({ ok: true, what });
export const problem = (what: string, fix: string): Finding => ({ ok: false, what, fix });
