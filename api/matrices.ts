// The kill matrix and the variant matrix (matrix/, built on this API): run, judged, rendered and written.
export {
  type FaultRow,
  killMatrixHolds,
  renderKillMatrixMarkdown,
  runKillMatrix,
  SLOW_OVER_HEALTHY,
  slowFaults,
} from '../matrix/kill-matrix.ts';
export { renderVariantMatrixMarkdown, runVariantMatrix, variantMatrixHolds } from '../matrix/variant-matrix.ts';
export { writeMatrixFiles } from '../matrix/write-matrix.ts';
