// Exit codes from best to worst: a run that could not be carried out (2) is worse than a failure (1),
// which is worse than an incomplete run (3), which is worse than a pass (0).
const EXIT_RANK = [0, 3, 1, 2];

/** The worst of several exit codes (2 > 1 > 3 > 0; an unknown code counts as worst). */
export function worstExit(codes: readonly number[]): number {
  return codes.reduce((worst, code) => (rank(code) > rank(worst) ? code : worst), 0);
}

function rank(code: number): number {
  const at = EXIT_RANK.indexOf(code);
  return at === -1 ? EXIT_RANK.length : at;
}
