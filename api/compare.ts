// Comparing two runs (compare, and serve's comparison page): the comparison, its gate and its text.

export { renderComparisonText } from '../reports/render-comparison.ts';
export { compareGate } from '../src/results/compare-gate.ts';
export { comparedCases, compareRuns } from '../src/results/compare-runs.ts';
