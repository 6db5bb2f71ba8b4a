// docker-compose.yml: the backend beside the container that takes its traces
// to X-Ray (the X-Ray daemon or the CloudWatch agent, per --tracing). Values
// that come from the workspace or are secret stay `${VAR}` interpolations.
import { Document, isScalar, isSeq, visit, Scalar } from 'yaml';
import { collectorOf } from './collector.js';
import { backendEnvironment } from './environment.js';
import { generatedBy } from './marker.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const COMPOSE_PATH = 'docker-compose.yml';

function backendServiceData(ctx: RenderContext) {
  const { answers } = ctx;
  return {
    build: `./${answers.serviceName}`,
    ports: [`${answers.port}:${answers.port}`],
    environment: backendEnvironment(ctx),
    depends_on: [collectorOf(answers).service],
  };
}

export function composeData(ctx: RenderContext) {
  return {
    services: {
      [ctx.answers.serviceName]: backendServiceData(ctx),
      [collectorOf(ctx.answers).service]: collectorOf(ctx.answers).compose(ctx),
    },
  };
}

/**
 * Port mappings are quoted, as the Compose docs advise: a YAML 1.1 reader
 * takes an unquoted `22:22` for a base-60 number.
 */
function quotePorts(doc: Document): void {
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
