// The places this backend reaches past the X-Ray SDK's typed API, in one
// module. A cast hides them from the type checker, so an upgrade of
// aws-xray-sdk-core that moves one would pass `tsc` and only show as "X-Ray:
// tracing failed" in the log; test/xray-internals.test.ts fails loudly
// instead. Run `npm test` after upgrading the SDK.
// - The middleware's sampler. The SDK's own Express middleware asks it with
//   the dynamic segment name; tracing.ts asks it itself, with the service
//   name (NAMES AGREE there), before doing anything else for a request.
// - A segment's `http`, the request data addIncomingRequestData() stores:
//   closed with the response, as the SDK's middleware does, to record status
//   and length.
// - The emitter sends format(), not toString(): tracing.ts's RequestSegment
//   shortens toString(), which the SDK only uses in log lines.
import './xray-preload.js';
import AWSXRay from 'aws-xray-sdk-core';

/** What the sampler matches a request on. */
export interface SampleRequest {
  host?: string;
  httpMethod?: string;
  urlPath?: string;
  serviceName?: string;
}

export interface Sampler {
  /** true, false, or the name of the matched centralized rule (sampled); undefined when it failed. */
  shouldSample(request: SampleRequest): boolean | string | undefined;
}

/** The SDK's request data, with the response part close() adds. */
export type RequestData = InstanceType<typeof AWSXRay.middleware.IncomingRequestData> & {
  response?: { status: number | string; content_length?: number };
};

/** The sampler the SDK's middleware uses: centralized rules from the daemon, else the local default. */
export const sampler = (AWSXRay.middleware as unknown as { sampler: Sampler }).sampler;

/** The request data addIncomingRequestData() put on `segment`. */
export function requestData(segment: AWSXRay.Segment): RequestData | undefined {
  return (segment as unknown as { http?: RequestData }).http;
}
