// ADD A TRACED ROUTE: this file is the example; the recipe, for a route
// GET /api/activities/@:handle whose service code runs a query (the
// generator's tests build and run it exactly as written):
//
// 1. A route file, src/routes/user-activities.ts. Every request is already
//    traced (traced() in server.ts gives it a segment); withSubsegment(req,
//    ...) adds a timed child with your annotations and metadata, and records
//    an error thrown in it:
//
//      import type { IRouter } from 'express';
//      import { withSubsegment } from '../observability/index.js';
//      import { userActivities } from '../services/user-activities.js';
//
//      export function userActivitiesRoutes(router: IRouter): void {
//        router.get('/api/activities/@:handle', async (req, res) => {
//          const activities = await withSubsegment(req, 'user-activities', (span) => {
//            span.annotate('handle', req.params.handle);
//            return userActivities(req.params.handle, span);
//          });
//          res.json(activities);
//        });
//      }
//
// 2. Register it in src/app.ts, beside activitiesRoutes(app) and before the
//    404 handler: `userActivitiesRoutes(app);`. An express.Router() works the
//    same way, to group routes under a prefix: `const users =
//    express.Router(); userActivitiesRoutes(users); app.use('/api/users',
//    users);` (its paths are then relative to /api/users).
//
// 3. Service code takes the span as a parameter and hangs its own
//    subsegments from it (src/services/user-activities.ts):
//
//      import { withSubsegment, type Span } from '../observability/index.js';
//      import { homeActivities, type Activity } from './home-activities.js';
//
//      export function userActivities(handle: string, span: Span): Promise<Activity[]> {
//        return withSubsegment(span, 'db-query', async (query) => {
//          query.annotate('handle', handle);
//          // Your database query here; mock data filtered meanwhile.
//          const rows = homeActivities().filter((a) => a.handle === handle);
//          query.metadata('query', { handle, results_size: rows.length }, 'cruddur');
//          return rows;
//        });
//      }
//
// When a request is not sampled, withSubsegment just runs the function with a
// span that records nothing: the code is the same either way. Not
// AWSXRay.getSegment() or AWSXRay.capture*(): see README.md, "Not
// getSegment() or capture*()", and "Tracing an outgoing call" there for an
// HTTP call and an AWS SDK call.

import type { IRouter } from 'express';
import { withSubsegment } from '../observability/index.js';
import { homeActivities } from '../services/home-activities.js';

export function activitiesRoutes(router: IRouter): void {
  // Traced like the bootcamp's `mock-data` subsegment: an annotation (indexed,
  // searchable) and metadata on a subsegment of the request. The metadata is a
  // summary of the query, as the bootcamp's was, not the response body: it
  // travels in the segment document, which X-Ray drops above 64 KB, is
  // serialised for every sampled request, and a real feed holds personal data.
  router.get('/api/activities/home', (req, res) => {
    const activities = withSubsegment(req, 'mock-data', (span) => {
      const now = new Date();
      const data = homeActivities(now);
      span.annotate('activities_count', data.length);
      span.metadata('query', { now: now.toISOString(), results_size: data.length }, 'cruddur');
      return data;
    });
    res.json(activities);
  });
}
