/** The outcomes an expectation allows: each of its `oneOf`, or the expectation itself. */
export function outcomesOf<O extends object>(expect: O | { oneOf: readonly O[] }): readonly O[] {
  return 'oneOf' in expect ? expect.oneOf : [expect as O];
}
