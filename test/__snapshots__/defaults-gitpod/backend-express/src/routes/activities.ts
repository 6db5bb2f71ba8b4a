import type { IRouter } from 'express';
import { withSubsegment } from '../observability/index.js';
import { homeActivities } from '../services/home-activities.js';

export function activitiesRoutes(router: IRouter): void {
  // Traced like the bootcamp's `mock-data` subsegment: an annotation (indexed,
  // searchable) and metadata (the data itself) on a subsegment of the request.
  router.get('/api/activities/home', (req, res) => {
    const activities = withSubsegment(req, 'mock-data', (span) => {
      const data = homeActivities();
      span.annotate('activities_count', data.length);
      span.metadata('activities', data, 'cruddur');
      return data;
    });
    res.json(activities);
  });
}
