// ajv validators for the upstream schemas, set up as ../shared/specs/README.md says.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parse as parseYaml } from 'yaml';
import { readSpec } from './specs.js';
import type { SmithyModel } from './smithy.js';

const require = createRequire(import.meta.url);
type AjvCtor = new (opts: Record<string, unknown>) => {
  compile(schema: object): ValidateFunction;
  addVocabulary(words: string[]): void;
  addMetaSchema(schema: object): void;
  errorsText(errors: ValidateFunction['errors']): string;
};
const Ajv = require('ajv').default as AjvCtor;
const Ajv2019 = require('ajv/dist/2019').default as AjvCtor;
const addFormats = require('ajv-formats').default as (ajv: unknown) => void;

function validator(kind: 'gitpod' | 'devcontainer' | 'compose'): (doc: unknown) => string[] {
  let ajv;
  let schema: Record<string, unknown>;
  if (kind === 'gitpod') {
    ajv = new Ajv({ allowUnionTypes: true, allErrors: true });
    ajv.addVocabulary(['deprecationMessage']);
    schema = readSpec('gitpod-schema.json');
  } else if (kind === 'devcontainer') {
    ajv = new Ajv2019({ allowUnionTypes: true, strictTypes: false, allErrors: true });
    ajv.addVocabulary([
      'allowComments',
      'allowTrailingCommas',
      'deprecationMessage',
      'enumDescriptions',
      'markdownDescription',
      'defaultSnippets',
    ]);
    addFormats(ajv);
    schema = readSpec('devContainer.base.schema.json');
  } else {
    ajv = new Ajv({ allowUnionTypes: true, strictTypes: false, allErrors: true });
    schema = { ...readSpec<Record<string, unknown>>('compose-spec.json') };
    delete schema.$schema;
  }
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

const cache = new Map<string, (doc: unknown) => string[]>();
function cached(kind: 'gitpod' | 'devcontainer' | 'compose') {
  let v = cache.get(kind);
  if (!v) cache.set(kind, (v = validator(kind)));
  return v;
}

export const validateGitpod = (text: string) => cached('gitpod')(parseYaml(text));
export const validateCompose = (text: string) => cached('compose')(parseYaml(text));
export function validateDevcontainer(text: string): string[] {
  const errors: ParseError[] = [];
  const doc: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) return [`JSONC parse errors: ${JSON.stringify(errors)}`];
  return cached('devcontainer')(doc);
}

let model: SmithyModel | undefined;
export function xrayModel(): SmithyModel {
  return (model ??= readSpec<SmithyModel>('xray-smithy-model.json'));
}
