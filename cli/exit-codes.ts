/** The exit codes of a run, as the usage of `run` and the top-level usage both state them. */
export const EXIT_CODES_USAGE = `Exit codes: 0 every MUST case passed, 1 a MUST case failed, 2 the run could not be carried out,
3 nothing failed but some cases could not be tested.`;
