// Comparing two runs (compare, and serve's comparison page): the comparison, its gate and its text.
export { compareGate, renderComparisonText } from '../reports/compare-gate.ts';
export { comparedCases, compareRuns } from '../reports/compare-runs.ts';
