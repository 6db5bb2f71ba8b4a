// aws/json/x-ray.json, as `aws xray create-sampling-rule --cli-input-json` takes it.
import { samplingRule } from '../answers/names.js';
import type { GeneratedFile, RenderContext } from './types.js';

export const XRAY_RULE_PATH = 'aws/json/x-ray.json';

export function renderXrayRule(ctx: RenderContext): GeneratedFile {
  return { path: XRAY_RULE_PATH, contents: `${JSON.stringify(samplingRule(ctx.answers), null, 2)}\n` };
}
