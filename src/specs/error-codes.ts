/**
 * The five error codes of the vendor's wipedata document. Apart from case-schema.ts so that the checks
 * and the contract drift can read them without loading the TypeBox schema builders.
 */
export const ERROR_CODES = [
  'UNSUPPORT_CONTENT_TYPE',
  'INVALID_REQUEST_JSON',
  'MISSING_ARGUMENTS',
  'INVALID_ARGUMENTS',
  'INTERNAL_ERROR',
] as const;
