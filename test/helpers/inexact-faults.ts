import type { KillMatrix } from '../../matrix/kill-matrix.ts';

/** The faults of a kill matrix not caught exactly, each with what it missed, what it added and why. */
export function inexactFaults(matrix: KillMatrix) {
  return matrix.faults
    .filter((f) => !f.exact)
    .map((f) => ({
      fault: f.fault,
      missed: f.expectedCases.filter((id) => !f.caughtBy.includes(id)),
      unexpected: f.caughtBy.filter((id) => !f.expectedCases.includes(id)),
      why: f.mismatches,
    }));
}
