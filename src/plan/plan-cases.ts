import { ConformanceError } from '../errors/conformance-error.ts';
import type { SuiteSpec } from '../specs/case-schema.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import { matchesId } from './match-id.ts';

/** What the command line narrows a suite to. */
export interface Selection {
  only?: string[];
  tags?: string[];
  /** Exactly these ids and no others (--rerun-failed: the cases an earlier run failed or could not test). */
  ids?: readonly string[];
}

/** The cases of a suite, narrowed by the command line, in the order the spec files give them. */
export function planCases(cases: readonly LoadedCase[], suite: SuiteSpec, selection: Selection = {}): LoadedCase[] {
  const hasTag = (c: LoadedCase, tags: readonly string[]) => (c.spec.tags ?? []).some((t) => tags.includes(t));
  const ids = selection.ids ? new Set(selection.ids) : undefined;
  const planned = cases.filter((c) => {
    const id = c.spec.id;
    if (!suite.include.some((p) => matchesId(id, p))) return false;
    if (suite.exclude?.some((p) => matchesId(id, p))) return false;
    if (suite.tags && !hasTag(c, suite.tags)) return false;
    if (suite.excludeTags && hasTag(c, suite.excludeTags)) return false;
    if (selection.only?.length && !selection.only.some((p) => matchesId(id, p))) return false;
    if (selection.tags?.length && !hasTag(c, selection.tags)) return false;
    if (ids && !ids.has(id)) return false;
    return true;
  });
  if (planned.length === 0) {
    const narrowed = [
      selection.only?.length ? `--only ${selection.only.join(',')}` : '',
      selection.tags?.length ? `--tag ${selection.tags.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new ConformanceError(
      'SUITE_EMPTY',
      `suite "${suite.name}"${narrowed ? ` with ${narrowed}` : ''} selects no case`,
    );
  }
  return planned;
}
