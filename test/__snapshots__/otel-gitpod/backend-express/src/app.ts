import express, { type Express } from 'express';
import type { ErrorReporting } from './observability/index.js';
import { activitiesRoutes } from './routes/activities.js';
import { rollbarRoutes } from './routes/rollbar.js';

export interface AppOptions {
  errors: ErrorReporting;
  /** Mount GET /rollbar/test/crash. */
  crashRoute?: boolean;
}

/** The Express app. Tracing wraps it (`traced(app)` in server.ts), outside Express. */
export function createApp({ errors, crashRoute = false }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  // Each routes module registers on the router it is given: the app here, or
  // an express.Router() of yours (see the recipe in routes/activities.ts).
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  activitiesRoutes(app);
  rollbarRoutes(app, errors, { crashRoute });

  app.use((_req, res) => {
    res.status(404).json({ error: 'Not Found' });
  });
  // Last: errors from every route.
  app.use(errors.errorHandler);
  return app;
}
