// Apart from case-schema.ts so that the checks and the contract drift read the codes without loading the
// TypeBox schema builders (case-schema.ts re-exports them).

/** The five error codes of the vendor's wipedata document. */
export const ERROR_CODES = [
  'UNSUPPORT_CONTENT_TYPE',
  'INVALID_REQUEST_JSON',
  'MISSING_ARGUMENTS',
  'INVALID_ARGUMENTS',
  'INTERNAL_ERROR',
] as const;

/**
 * Codes the API family's own error tables document beside the wipedata page's five (vendor documents of the
 * same firmware, V6R2C01: ErrorManager.md for the face API, 状态码详细说明 for the MQ channel). A device may
 * answer with one where its meaning fits the request; a case lists the ones it tolerates (`tolerate`).
 */
export const FAMILY_ERROR_CODES = [
  'EMPTY_REQUEST_JSON',
  'PARAM_ERROR',
  'BOOLEAN_ARGUMENT_ERROR',
  'BAD_REQUEST',
] as const;
