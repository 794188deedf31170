// The two matrices' entry, for the command line: run, judged, rendered and written (built on api/).
export {
  type FaultRow,
  killMatrixHolds,
  renderKillMatrixMarkdown,
  runKillMatrix,
  SLOW_OVER_HEALTHY,
  slowFaults,
} from './kill-matrix.ts';
export { renderVariantMatrixMarkdown, runVariantMatrix, variantMatrixHolds } from './variant-matrix.ts';
export { writeMatrixFiles } from './write-matrix.ts';
