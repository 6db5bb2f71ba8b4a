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
