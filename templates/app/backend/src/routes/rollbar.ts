// Routes that prove Rollbar works end to end (the bootcamp's "introduce an
// error in an endpoint" step, kept as routes so it needs no code change).
import type { IRouter } from 'express';
import type { ErrorReporting } from '../observability/index.js';

export interface RollbarRoutesOptions {
  /** Mount GET /rollbar/test/crash (an uncaught exception: the process exits 1). Off by default. */
  crashRoute: boolean;
}

export function rollbarRoutes(router: IRouter, errors: ErrorReporting, options: RollbarRoutesOptions): void {
  // One message item.
  // One message item; passing the request links it to the request's trace.
  router.get('/rollbar/test', (req, res) => {
    errors.reportMessage('Hello World! (GET /rollbar/test)', 'warning', req);
    res.json({ message: 'Hello World!', reported: errors.enabled });
  });

  // An error thrown in an async route: Express 5 passes it to the error
  // handler, which answers 500 and reports one error item.
  router.get('/rollbar/test/error', async () => {
    await Promise.resolve();
    throw new Error('Rollbar test: an uncaught error in a route');
  });

  // A promise rejected with nobody listening: reported, the backend keeps serving.
  router.get('/rollbar/test/rejection', (_req, res) => {
    void Promise.reject(new Error('Rollbar test: an unhandled promise rejection'));
    res.status(202).json({ message: 'rejected a promise nobody handles' });
  });

  if (options.crashRoute) {
    router.get('/rollbar/test/crash', (_req, res) => {
      res.status(202).json({ message: 'throwing an uncaught exception; the process will exit 1' });
      setImmediate(() => {
        throw new Error('Rollbar test: an uncaught exception');
      });
    });
  }
}
