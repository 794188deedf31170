import { PACKAGE } from '../src/package-root.ts';

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, run: { type: 'string' } },
    },
  },
};

const status = {
  type: 'object',
  description: "The terminal's live line: n/N, the case, its phase and window, time spent and left.",
  properties: {
    done: { type: 'integer' },
    total: { type: 'integer' },
    caseId: { type: 'string' },
    phase: { type: 'string' },
    windowMs: { type: 'integer' },
    elapsedMs: { type: 'integer' },
    leftMs: { type: 'integer', description: 'Absent until the run has learnt enough to estimate.' },
  },
};

const run = {
  type: 'object',
  required: ['id', 'device', 'state', 'startedAt', 'startedBy', 'request'],
  properties: {
    id: { type: 'string' },
    device: { type: 'string' },
    state: { enum: ['running', 'stopping', 'ended', 'interrupted'] },
    startedAt: { type: 'string', format: 'date-time' },
    startedBy: { type: 'string' },
    request: { $ref: '#/components/schemas/RunRequest' },
    exitCode: { type: 'integer', description: '0 pass, 1 a MUST failed, 2 could not run, 3 incomplete' },
    gate: { enum: ['PASS', 'FAIL', 'ERROR', 'INCOMPLETE'] },
    complete: { type: 'boolean' },
    status,
    reportUrl: { type: 'string', description: "The run's HTML report on this server, once written." },
  },
};

const runRequest = {
  type: 'object',
  properties: {
    device: { type: 'string', description: "A device's name in the lab file." },
    devices: { type: 'array', items: { type: 'string' }, description: 'Several devices: one run each.' },
    suite: { type: 'string', description: 'certification (default), smoke, http, amqp, …' },
    only: { type: 'array', items: { type: 'string' }, description: 'Case id globs.' },
    tag: { type: 'array', items: { type: 'string' } },
    profile: { enum: ['strict', 'lenient'] },
    downWithinMs: { type: 'integer', minimum: 1 },
    upWithinMs: { type: 'integer', minimum: 1 },
  },
};

const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: DESCRIPTIONS[code], content: json(error) }]));
const DESCRIPTIONS: Record<number, string> = {
  400: 'The body is not a valid request.',
  401: 'No valid bearer token (serve --token-file).',
  403: 'A cross-site or non-JSON state-changing call.',
  404: 'No such device or run.',
  409: 'The device is busy with another run (one run per device at a time), or the run cannot be resumed.',
};
const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const empty = { required: true, content: json({ type: 'object' }), description: 'An empty JSON object, {}.' };

/** /api/openapi.json: the console's REST API, OpenAPI 3.1. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'sophon-conformance lab console',
      version: PACKAGE.version,
      description:
        'Start, watch and stop conformance runs on the devices of a lab file. Runs wipe devices. Every call needs `Authorization: Bearer <token>` when the console was started with --token-file (always off loopback); state-changing calls are JSON (`Content-Type: application/json`).',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Run: run, RunRequest: runRequest, Error: error },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/devices': {
        get: {
          summary: "The lab's devices: reachable now (one non-destructive read), firmware, last run and its gate.",
          responses: {
            200: { description: 'The devices.', content: json({ type: 'array', items: { type: 'object' } }) },
            ...errors(401),
          },
        },
      },
      '/api/runs': {
        get: {
          summary: 'Every run, newest first.',
          responses: {
            200: { description: 'The runs.', content: json({ type: 'array', items: run }) },
            ...errors(401),
          },
        },
        post: {
          summary: 'Start a run on a device (or several). It wipes the device. A busy device is refused (409).',
          requestBody: { required: true, content: json(runRequest) },
          responses: { 201: { description: 'Started.', content: json(run) }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      '/api/runs/{id}': {
        get: {
          summary: "A run's state and, once ended, its gate and exit code.",
          parameters: id,
          responses: { 200: { description: 'The run.', content: json(run) }, ...errors(401, 404) },
        },
      },
      '/api/runs/{id}/events': {
        get: {
          summary:
            'The live stream (text/event-stream): every event so far, then each new one: start, status, result, end. The stream ends after `end`.',
          parameters: id,
          responses: {
            200: {
              description: 'Server-sent events.',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(401, 404),
          },
        },
      },
      '/api/runs/{id}/stop': {
        post: {
          summary: 'Stop after the current step; the run writes a partial report and can be resumed.',
          parameters: id,
          requestBody: empty,
          responses: { 200: { description: 'Stopping.', content: json(run) }, ...errors(401, 403, 404) },
        },
      },
      '/api/runs/{id}/resume': {
        post: {
          summary: 'Continue an interrupted run in its own folder: its finished cases are kept.',
          parameters: id,
          requestBody: empty,
          responses: { 200: { description: 'Resumed.', content: json(run) }, ...errors(401, 403, 404, 409) },
        },
      },
      '/api/runs/{id}/report': {
        get: {
          summary: "The run's report.json (design: the canonical record).",
          parameters: id,
          responses: { 200: { description: 'report.json', content: json({ type: 'object' }) }, ...errors(401, 404) },
        },
      },
    },
  };
}
