// The figures every fuzzer reports, and how one input's violations add up into them.

/** What went wrong with one input. */
export type ViolationKind =
  | 'crash' // no answer, the device stopped answering, a 5xx or INTERNAL_ERROR on client input
  | 'wiped-on-invalid' // the store changed, or a reboot was asked for, after an input that must be refused
  | 'not-envelope' // a refusal that is not the vendor envelope (or a success answer to invalid input)
  | 'wrong-code' // the envelope, but not the code the input calls for
  | 'valid-mishandled'; // a valid wipe not answered 200 {"result":true}, or its reboot not asked for

export interface Violation {
  kind: ViolationKind;
  detail: string;
  input: string;
}

export interface FuzzFigures {
  inputs: number;
  invalidInputs: number;
  crashes: number;
  wipesOnInvalid: number;
  nonEnvelope: number;
  wrongCode: number;
  validMishandled: number;
  /** The first few violations, for the report. */
  examples: Violation[];
}

export function emptyFigures(): FuzzFigures {
  return {
    inputs: 0,
    invalidInputs: 0,
    crashes: 0,
    wipesOnInvalid: 0,
    nonEnvelope: 0,
    wrongCode: 0,
    validMishandled: 0,
    examples: [],
  };
}

const FIELD: Record<ViolationKind, keyof Omit<FuzzFigures, 'inputs' | 'invalidInputs' | 'examples'>> = {
  crash: 'crashes',
  'wiped-on-invalid': 'wipesOnInvalid',
  'not-envelope': 'nonEnvelope',
  'wrong-code': 'wrongCode',
  'valid-mishandled': 'validMishandled',
};

/** Adds one input's outcome (each kind counted once per input). */
export function tally(figures: FuzzFigures, invalid: boolean, violations: readonly Violation[]): void {
  figures.inputs++;
  if (invalid) figures.invalidInputs++;
  for (const kind of new Set(violations.map((violation) => violation.kind))) figures[FIELD[kind]]++;
  for (const violation of violations) if (figures.examples.length < 5) figures.examples.push(violation);
}

/** Sum of the violation counts. */
export function violationCount(figures: FuzzFigures): number {
  return Object.values(FIELD).reduce((sum, field) => sum + figures[field], 0);
}

/** A short printable form of input bytes. */
export function showBytes(bytes: Uint8Array, max = 160): string {
  const text = Buffer.from(bytes).toString('latin1');
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return `${shown} (${bytes.length} bytes)`;
}
