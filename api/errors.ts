// The command line turns a ConformanceError into one line and exit 2; it reaches the class through the API.
export { ConformanceError } from '../src/errors/conformance-error.ts';
