// The observability interface the server, app and routes use: traced(app)
// around the whole app, recordError() in the error handler, withSubsegment()
// in routes, flushTracing() at shutdown, and the Rollbar reporter. Tracing
// (./tracing.ts) is the X-Ray SDK or OpenTelemetry, as `--tracing` chose;
// both export these same names, so routes work unchanged under either.
export {
  configureTracing,
  describeTracing,
  flushTracing,
  recordError,
  traced,
  traceIdOf,
  withSubsegment,
  type Span,
  type TraceParent,
} from './tracing.js';
export { setupErrorReporting, type ErrorReporting } from './errors.js';
