import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CAPABILITY_NAMES } from './capabilities.ts';
import { ERROR_CODES, FAMILY_ERROR_CODES } from './error-codes.ts';

// The one source of the spec vocabulary: the JSON Schema files in specs/schema/ are generated from
// these definitions (npm run schema), and so are the loaders' validators (*.compiled.ts), so types,
// schema and validator cannot drift apart.

const closed = { additionalProperties: false } as const;

export const LevelSchema = Type.Union([Type.Literal('MUST'), Type.Literal('SHOULD'), Type.Literal('MAY')], {
  description: 'MUST failures fail the run, SHOULD failures warn, MAY records what was observed.',
});

export { ERROR_CODES, FAMILY_ERROR_CODES };

export const ErrorCodeSchema = Type.Union(
  ERROR_CODES.map((code) => Type.Literal(code)),
  { description: 'One of the five documented wipedata error codes.' },
);

const ToleratedCode = Type.Union(
  [...ERROR_CODES, ...FAMILY_ERROR_CODES].map((code) => Type.Literal(code)),
  { description: 'A wipedata code or a code of the API family (FAMILY_ERROR_CODES).' },
);

const CaseId = Type.String({
  pattern: '^(http|amqp)(\\.[a-z0-9][a-z0-9-]*)+$',
  description: 'Stable, dotted, transport first; never renumbered.',
});

const ClauseId = Type.String({ pattern: '^(HTTP|MQ)-[0-9]+$' });

const Tag = Type.String({ pattern: '^[a-z][a-z0-9-]*$' });

const StatusExpect = Type.Union(
  [
    Type.Integer({ minimum: 100, maximum: 599, description: 'exactly this status' }),
    Type.Object({ not: Type.Integer({ minimum: 100, maximum: 599 }) }, closed),
    Type.Object({ class: Type.Union([Type.Literal('2xx'), Type.Literal('4xx'), Type.Literal('5xx')]) }, closed),
  ],
  { description: 'Expected HTTP status: a number, { not: N } or { class: 4xx }.' },
);

const MessageExpect = Type.Union(
  [
    Type.Object(
      {
        mentionsAny: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          description: 'The message contains at least one of these strings (case-insensitive).',
        }),
      },
      closed,
    ),
    Type.Object(
      {
        mentionsAll: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          description: 'The message contains every one of these strings (case-insensitive).',
        }),
      },
      closed,
    ),
    Type.Object(
      {
        carriesValueOf: Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          description:
            'The message names one of these request parameters, or carries the value the request sent for it in any common rendering (JSON, bare text, Python repr), with any wording around it (HTTP-5).',
        }),
      },
      closed,
    ),
  ],
  { description: 'What the error message must say.' },
);

const ErrorExpect = Type.Union([
  ErrorCodeSchema,
  Type.Object(
    {
      code: ErrorCodeSchema,
      message: Type.Optional(MessageExpect),
      lenient: Type.Optional(
        Type.Array(ErrorCodeSchema, {
          minItems: 1,
          description: 'Other codes the lenient profile accepts, each reported as a warning.',
        }),
      ),
      tolerate: Type.Optional(
        Type.Array(ToleratedCode, {
          minItems: 1,
          uniqueItems: true,
          description:
            'Codes another reasonable reading of the documents leads a correct device to answer instead (a code of the API family, or the other of two errors the request has): accepted with a warning in every profile. `message` applies to `code` only.',
        }),
      ),
    },
    closed,
  ),
]);

const CategoryExpect = Type.Union([Type.Literal('emptied'), Type.Literal('unchanged')]);
const SettingsExpect = Type.Union([Type.Literal('unchanged'), Type.Literal('defaults')]);

const StateExpect = Type.Union(
  [
    Type.Literal('unchanged', { description: 'Every category is as it was before the request.' }),
    Type.Object(
      {
        identities: Type.Optional(CategoryExpect),
        permissions: Type.Optional(CategoryExpect),
        mediaDevices: Type.Optional(CategoryExpect),
        events: Type.Optional(CategoryExpect),
        settings: Type.Optional(SettingsExpect),
      },
      { ...closed, minProperties: 1 },
    ),
  ],
  { description: 'Device state after the case, read through the state adapter once the device is back.' },
);

const RebootExpect = Type.Union([Type.Literal('required'), Type.Literal('none'), Type.Literal('any')], {
  description: 'required: answer first, then go down and come back; none: stay up; any: observe and record.',
});

const BodyExpect = Type.Object(
  {
    equals: Type.Optional(Type.Unknown({ description: 'The JSON body equals this value exactly.' })),
    schema: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'The JSON body validates against this JSON Schema.' }),
    ),
  },
  { ...closed, minProperties: 1 },
);

const httpExpectFields = {
  status: Type.Optional(StatusExpect),
  contentType: Type.Optional(
    Type.String({ description: 'Media type of the response (parameters ignored, case-insensitive).' }),
  ),
  body: Type.Optional(BodyExpect),
  error: Type.Optional(ErrorExpect),
  state: Type.Optional(StateExpect),
  reboot: Type.Optional(RebootExpect),
};

/** Expectations judged at SHOULD level inside a stronger case. */
const HttpShould = Type.Object(httpExpectFields, { ...closed, minProperties: 1 });

const HttpExpectation = Type.Object(
  { ...httpExpectFields, should: Type.Optional(HttpShould) },
  { ...closed, minProperties: 1 },
);

const HttpOutcome = Type.Object(
  {
    outcome: Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'Name reported when this outcome matches.' }),
    ...httpExpectFields,
    should: Type.Optional(HttpShould),
  },
  closed,
);

const HttpExpect = Type.Union([
  HttpExpectation,
  Type.Object(
    {
      oneOf: Type.Array(HttpOutcome, {
        minItems: 2,
        description: 'The device may behave in any one of these ways; the report names the one it chose.',
      }),
    },
    closed,
  ),
]);

const HttpSend = Type.Object(
  {
    method: Type.Optional(Type.String({ pattern: '^[A-Z]+$', default: 'POST' })),
    path: Type.Optional(Type.String({ pattern: '^/', default: '/sophon/v2/face/wipedata' })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), Type.String())),
    json: Type.Optional(Type.Unknown({ description: 'Sent as JSON text with content-type application/json.' })),
    body: Type.Optional(Type.String({ description: 'Sent byte for byte (UTF-8), no content-type unless given.' })),
    bodyBase64: Type.Optional(Type.String({ description: 'Raw bytes, for bodies that are not UTF-8 text.' })),
  },
  closed,
);

const Given = Type.Union([Type.Literal('seeded'), Type.Literal('empty')], {
  description: 'seeded: every category holds data first; empty: the device is wiped clean first.',
});

const caseFields = {
  id: CaseId,
  title: Type.String({ minLength: 8, description: 'One line a QA engineer understands.' }),
  clauses: Type.Array(ClauseId, { minItems: 1, uniqueItems: true }),
  level: LevelSchema,
  tags: Type.Optional(Type.Array(Tag, { uniqueItems: true })),
  given: Type.Optional(Given),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, description: 'Request timeout for this case.' })),
  requires: Type.Optional(
    Type.Array(Type.Union(CAPABILITY_NAMES.map((name) => Type.Literal(name))), {
      minItems: 1,
      uniqueItems: true,
      description:
        'Capabilities (src/specs/capabilities.ts) the target must declare; without them the case is not-applicable.',
    }),
  ),
};

export const HttpCaseSchema = Type.Object({ ...caseFields, send: HttpSend, expect: HttpExpect }, closed);

// --- AMQP (MQ command channel) -------------------------------------------------------------

const Channel = Type.Union([Type.Literal('up_queue'), Type.Literal('notify_path')]);

const AmqpMessage = {
  message: Type.Optional(
    Type.Unknown({
      description:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the case variables' own syntax
        'Published as JSON text. Strings may use ${uuid}, ${callback.url}, ${callback.unreachable}, ${case.id}, ${run.tag}.',
    }),
  ),
  body: Type.Optional(Type.String({ description: 'Published byte for byte (UTF-8): for messages that are not JSON.' })),
  bodyBase64: Type.Optional(Type.String({ description: 'Raw bytes.' })),
  padTo: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Adds a "padding" field to the message until it is this many bytes.' }),
  ),
  properties: Type.Optional(
    Type.Object(
      {
        contentType: Type.Optional(Type.String()),
        correlationId: Type.Optional(Type.String()),
        messageId: Type.Optional(Type.String()),
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      closed,
    ),
  ),
};

const AmqpMessageSchema = Type.Object(AmqpMessage, closed);

const AmqpSend = Type.Object(
  {
    ...AmqpMessage,
    before: Type.Optional(
      Type.Array(AmqpMessageSchema, {
        minItems: 1,
        description: 'Published first (e.g. poison messages); their replies are recorded, not judged.',
      }),
    ),
    duplicate: Type.Optional(
      Type.Boolean({
        description:
          'Publish, wait for the reply and any reboot, seed again, then publish the same bytes again; the expectations judge the second delivery.',
      }),
    ),
  },
  closed,
);

const ReplyCodeExpect = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({ not: Type.String() }, closed),
  Type.Object(
    {
      anyOf: Type.Array(Type.String({ minLength: 1 }), {
        minItems: 2,
        uniqueItems: true,
        description: "Any one of these codes (the undocumented MQ failure codes: the face API's and the family's own).",
      }),
    },
    closed,
  ),
]);

const ReplyExpect = Type.Object(
  {
    via: Channel,
    lenientVia: Type.Optional(
      Type.Array(Channel, {
        minItems: 1,
        description: 'Channels the lenient profile also accepts the reply on (and a copy on), each as a warning.',
      }),
    ),
    result: Type.Optional(Type.Boolean()),
    code: Type.Optional(ReplyCodeExpect),
    lenient: Type.Optional(
      Type.Array(Type.String(), { minItems: 1, description: 'Codes the lenient profile accepts, as a warning.' }),
    ),
    envelope: Type.Optional(
      Type.Literal(true, {
        description:
          'result bool, code string, message string, mq_license_key non-empty and stable, message_key "wipedata", ext_data object (MQ-4).',
      }),
    ),
    messageId: Type.Optional(
      Type.Literal('echoed', { description: 'The request message_id, top level or in ext_data.' }),
    ),
    beforeReboot: Type.Optional(
      Type.Literal(true, { description: 'The reply arrived before the device went down (MQ-10).' }),
    ),
  },
  closed,
);

const amqpExpectFields = {
  reply: Type.Optional(ReplyExpect),
  noReply: Type.Optional(
    Type.Array(Channel, { minItems: 1, uniqueItems: true, description: 'Nothing for this command arrives here.' }),
  ),
  state: Type.Optional(StateExpect),
  reboot: Type.Optional(RebootExpect),
};

const AmqpShould = Type.Object(amqpExpectFields, { ...closed, minProperties: 1 });

const AmqpExpectation = Type.Object(
  { ...amqpExpectFields, should: Type.Optional(AmqpShould) },
  { ...closed, minProperties: 1 },
);

const AmqpOutcome = Type.Object(
  {
    outcome: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    ...amqpExpectFields,
    should: Type.Optional(AmqpShould),
  },
  closed,
);

const AmqpExpect = Type.Union([
  AmqpExpectation,
  Type.Object({ oneOf: Type.Array(AmqpOutcome, { minItems: 2 }) }, closed),
]);

export const AmqpCaseSchema = Type.Object({ ...caseFields, send: AmqpSend, expect: AmqpExpect }, closed);

export const AmqpSpecFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    transport: Type.Literal('amqp'),
    cases: Type.Array(AmqpCaseSchema, { minItems: 1 }),
  },
  closed,
);

export const HttpSpecFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    transport: Type.Literal('http'),
    cases: Type.Array(HttpCaseSchema, { minItems: 1 }),
  },
  closed,
);

export const ClauseSchema = Type.Object(
  {
    id: ClauseId,
    level: LevelSchema,
    text: Type.String({ minLength: 10, description: 'The normative statement, in our words.' }),
    source: Type.Object(
      {
        document: Type.String({ description: 'File name of the vendor document, as `documents` lists it.' }),
        section: Type.String({ description: 'Section of that document.' }),
      },
      closed,
    ),
    decision: Type.Optional(Type.String({ description: 'How an open point of the documents is decided.' })),
  },
  closed,
);

export const SourceDocumentSchema = Type.Object(
  {
    file: Type.String({
      description: 'File name of the vendor document (firmware V6R2C01), as clauses cite it in source.document.',
    }),
    title: Type.String({ minLength: 1, description: "The document's own title: its heading line, as written." }),
  },
  closed,
);

export const ClauseFileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    documents: Type.Optional(
      Type.Array(SourceDocumentSchema, {
        description: 'The vendor documents the clauses cite, with their titles, so reports name a source by its title.',
      }),
    ),
    clauses: Type.Array(ClauseSchema, { minItems: 1 }),
  },
  closed,
);

export const SuiteSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: '^[a-z][a-z0-9-]*$' }),
    description: Type.String({ minLength: 8 }),
    include: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Case id globs.' }),
    exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    tags: Type.Optional(Type.Array(Tag, { description: 'Keep only cases with at least one of these tags.' })),
    excludeTags: Type.Optional(Type.Array(Tag, { description: 'Drop cases with any of these tags.' })),
  },
  closed,
);

export type HttpCase = Static<typeof HttpCaseSchema>;
export type SourceDocument = Static<typeof SourceDocumentSchema>;
export type HttpSendSpec = Static<typeof HttpSend>;
export type HttpExpectSpec = Static<typeof HttpExpect>;
export type HttpExpectation = Static<typeof HttpExpectation>;
export type HttpOutcomeSpec = Static<typeof HttpOutcome>;
export type HttpShouldSpec = Static<typeof HttpShould>;
export type StatusExpectSpec = Static<typeof StatusExpect>;
export type ErrorExpectSpec = Static<typeof ErrorExpect>;
export type MessageExpectSpec = Static<typeof MessageExpect>;
export type StateExpectSpec = Static<typeof StateExpect>;
export type RebootExpectSpec = Static<typeof RebootExpect>;
export type BodyExpectSpec = Static<typeof BodyExpect>;
export type ClauseSpec = Static<typeof ClauseSchema>;
export type AmqpCase = Static<typeof AmqpCaseSchema>;
export type AmqpSendSpec = Static<typeof AmqpSend>;
export type AmqpMessageSpec = Static<typeof AmqpMessageSchema>;
export type AmqpExpectSpec = Static<typeof AmqpExpect>;
export type AmqpExpectation = Static<typeof AmqpExpectation>;
export type AmqpShouldSpec = Static<typeof AmqpShould>;
export type ReplyExpectSpec = Static<typeof ReplyExpect>;
export type ReplyChannel = Static<typeof Channel>;
export type SuiteSpec = Static<typeof SuiteSchema>;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type ToleratedCode = Static<typeof ToleratedCode>;

/** The schema files written to specs/schema/, by file name. */
export const SCHEMA_FILES: Record<string, TSchema> = {
  'http-spec.schema.json': HttpSpecFileSchema,
  'amqp-spec.schema.json': AmqpSpecFileSchema,
  'clauses.schema.json': ClauseFileSchema,
  'suite.schema.json': SuiteSchema,
};
