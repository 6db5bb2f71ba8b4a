// docker-compose.yml: the backend beside the X-Ray daemon. Values that come
// from the workspace or are secret stay `${VAR}` interpolations.
import { Document, isScalar, isSeq, visit, Scalar } from 'yaml';
import { backendEnvironment, regionVariable } from './environment.js';
import { DAEMON_SERVICE, XRAY_DAEMON_IMAGE } from './daemon.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const COMPOSE_PATH = 'docker-compose.yml';

export function backendServiceData(ctx: RenderContext) {
  const { answers } = ctx;
  return {
    build: `./${answers.serviceName}`,
    ports: [`${answers.port}:${answers.port}`],
    environment: backendEnvironment(ctx),
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
