import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listSuites, loadSuite } from '../src/plan/load-suite.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import { checkContractDrift, type DriftFinding } from '../src/specs/contract-drift.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';

/** What `validate` found: the catalogue's size and hash, each suite's cases, the contracts' drift, uncovered clauses. */
export interface SpecsCheck {
  cases: number;
  clauses: number;
  hash: string;
  suites: { name: string; cases: number }[];
  /** The contracts' drift from the cases; undefined when the spec folder has no contracts/ to check against. */
  checkDrift(): DriftFinding[] | undefined;
  uncovered: { id: string; level: string }[];
}

/** Loads every spec file and suite under `root` (a bad one throws with file:line:col) and checks the contracts. */
export function validateSpecs(root: string): SpecsCheck {
  const catalogue = loadSpecs(root);
  const cited = new Set(catalogue.cases.flatMap((c) => c.spec.clauses));
  const uncovered = [...catalogue.clauses.values()].filter((c) => !cited.has(c.id));
  const suites = listSuites(root).map((name) => ({
    name,
    cases: planCases(catalogue.cases, loadSuite(root, name)).length,
  }));
  // The contract documents are checked where the spec folder has them (the tool's own always does).
  const contracts = join(root, 'contracts');
  return {
    cases: catalogue.cases.length,
    clauses: catalogue.clauses.size,
    hash: catalogue.hash,
    suites,
    checkDrift: () => (existsSync(contracts) ? checkContractDrift(catalogue.cases, contracts) : undefined),
    uncovered: uncovered.map((c) => ({ id: c.id, level: c.level })),
  };
}
