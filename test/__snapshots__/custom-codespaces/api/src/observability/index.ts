// The observability interface the server, app and routes use: traced(app)
// around the whole app, recordError() in the error handler, withSubsegment()
// in routes, and the Rollbar reporter. Tracing is AWS X-Ray (./tracing.ts); an
// OpenTelemetry variant would export the same names and be selected here,
// without touching the routes.
export {
  configureTracing,
  describeTracing,
  recordError,
  traced,
  withSubsegment,
  type Span,
  type TraceParent,
} from './tracing.js';
export { setupErrorReporting, type ErrorReporting } from './errors.js';
