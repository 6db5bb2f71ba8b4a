// docker-compose.yml: the backend beside the X-Ray daemon. Values that come
// from the workspace or are secret stay `${VAR}` interpolations.
import { Document, isScalar, isSeq, visit, Scalar } from 'yaml';
import { xrayUrlPattern } from '../answers/workspace-host.js';
import { generatedBy, XRAY_DAEMON_IMAGE } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const COMPOSE_PATH = 'docker-compose.yml';
export const DAEMON_SERVICE = 'xray-daemon';
/** Where services on the compose network reach the daemon (UDP segments, TCP sampling). */
export const DAEMON_ADDRESS = `${DAEMON_SERVICE}:2000`;

/** The workspace's AWS_REGION, else the answered region. */
export function regionVariable(region: string): string {
  return `\${AWS_REGION:-${region}}`;
}

export function backendServiceData(ctx: RenderContext) {
  const { answers, host } = ctx;
  return {
    build: `./${answers.serviceName}`,
    ports: [`${answers.port}:${answers.port}`],
    environment: {
      PORT: String(answers.port),
      AWS_XRAY_URL: xrayUrlPattern(host, answers.port),
      AWS_XRAY_DAEMON_ADDRESS: DAEMON_ADDRESS,
      AWS_REGION: regionVariable(answers.region),
      ROLLBAR_ACCESS_TOKEN: '${ROLLBAR_ACCESS_TOKEN}',
      ROLLBAR_ENVIRONMENT: answers.rollbarEnvironment,
      // Empty: the backend uses api.rollbar.com. Passed through so a
      // ROLLBAR_ENDPOINT set for `setup`'s check also reaches the backend.
      ROLLBAR_ENDPOINT: '${ROLLBAR_ENDPOINT:-}',
    },
    depends_on: [DAEMON_SERVICE],
  };
}

export function daemonServiceData(ctx: RenderContext) {
  const region = regionVariable(ctx.answers.region);
  return {
    image: XRAY_DAEMON_IMAGE,
    environment: {
      AWS_ACCESS_KEY_ID: '${AWS_ACCESS_KEY_ID}',
      AWS_SECRET_ACCESS_KEY: '${AWS_SECRET_ACCESS_KEY}',
      AWS_SESSION_TOKEN: '${AWS_SESSION_TOKEN:-}',
      AWS_REGION: region,
    },
    // The image's entrypoint is already `/xray` bound to 0.0.0.0:2000: pass
    // only flags, as a list (-o: not on EC2, -n: region).
    command: ['-o', '-n', region],
    ports: ['2000:2000/udp'],
  };
}

export function composeData(ctx: RenderContext) {
  return {
    services: {
      [ctx.answers.serviceName]: backendServiceData(ctx),
      [DAEMON_SERVICE]: daemonServiceData(ctx),
    },
  };
}

/**
 * Port mappings are quoted, as the Compose docs advise: a YAML 1.1 reader
 * takes an unquoted `22:22` for a base-60 number.
 */
export function quotePorts(doc: Document): void {
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === 'ports' && isSeq(pair.value)) {
        for (const item of pair.value.items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
}

export function renderCompose(ctx: RenderContext): GeneratedFile {
  const doc = new Document(composeData(ctx));
  quotePorts(doc);
  doc.commentBefore = generatedBy(' ');
  return { path: COMPOSE_PATH, contents: doc.toString({ lineWidth: 0 }) };
}
