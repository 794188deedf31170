import { ConformanceError } from '../src/errors/conformance-error.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases, type Selection } from '../src/plan/plan-cases.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';

/** The ids of a suite's selected cases, by the transport each goes over. */
export function plannedByTransport(
  root: string,
  suite: string,
  selection: Selection,
): { http: string[]; amqp: string[] } {
  const planned = planCases(loadSpecs(root).cases, loadSuite(root, suite), selection);
  return {
    http: planned.filter((c) => c.transport !== 'amqp').map((c) => c.spec.id),
    amqp: planned.filter((c) => c.transport === 'amqp').map((c) => c.spec.id),
  };
}

/**
 * A selection made only of MQ cases, without a broker, would be a whole run of could-not-test: that is a
 * mistake in the command line (exit 2), not a result. A mixed selection runs; its MQ cases say why they
 * could not be tested.
 */
export function refuseMqOnlyWithoutBroker(root: string, suite: string, selection: Selection): void {
  const { http, amqp } = plannedByTransport(root, suite, selection);
  if (amqp.length > 0 && http.length === 0) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `the ${amqp.length} selected cases (suite ${suite}) all go over the MQ channel: give --amqp URL (with --command-queue Q or --license KEY), or select HTTP cases`,
    );
  }
}
