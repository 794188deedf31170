/** The variables a case may use in what it sends (design §2). */
export const VARIABLES = ['uuid', 'callback.url', 'callback.unreachable', 'case.id', 'run.tag'] as const;
export type Variables = Record<(typeof VARIABLES)[number], string>;

/** Replaces `${name}` in every string of a JSON value; an unknown name is an error, not a silent blank. */
export function interpolate<T>(value: T, vars: Variables): T {
  const replace = (text: string): string =>
    text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (!(VARIABLES as readonly string[]).includes(name)) {
        throw new Error(`unknown variable \${${name}} (known: ${VARIABLES.join(', ')})`);
      }
      return vars[name as keyof Variables];
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
