// What the command line prints of a URL it was given: the password never shows.
export { redactUrl } from '../src/results/redact.ts';
