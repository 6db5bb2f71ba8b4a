// A small generic checker for values against a Smithy 2.0 JSON AST shape:
// required members, lengths, ranges, patterns, enums, nested structures,
// lists and maps. Used for aws/json/x-ray.json and X-Ray request bodies.

interface Traits {
  'smithy.api#required'?: object;
  'smithy.api#length'?: { min?: number; max?: number };
  'smithy.api#range'?: { min?: number; max?: number };
  'smithy.api#pattern'?: string;
  'smithy.api#enum'?: Array<{ value: string }>;
}

interface Shape {
  type: string;
  members?: Record<string, { target: string; traits?: Traits }>;
  member?: { target: string };
  key?: { target: string };
  value?: { target: string };
  traits?: Traits;
}

export interface SmithyModel {
  shapes: Record<string, Shape>;
}

const PRELUDE: Record<string, string> = {
  'smithy.api#String': 'string',
  'smithy.api#Integer': 'integer',
  'smithy.api#Long': 'long',
  'smithy.api#Double': 'double',
  'smithy.api#Float': 'float',
  'smithy.api#Boolean': 'boolean',
  'smithy.api#PrimitiveBoolean': 'boolean',
  'smithy.api#PrimitiveInteger': 'integer',
  'smithy.api#Timestamp': 'timestamp',
};

function checkTraits(path: string, value: unknown, traits: Traits | undefined, errors: string[]): void {
  if (!traits) return;
  const length = traits['smithy.api#length'];
  if (length) {
    const n = typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : undefined;
    if (
      n !== undefined &&
      ((length.min !== undefined && n < length.min) || (length.max !== undefined && n > length.max))
    ) {
      errors.push(`${path}: length ${n} outside ${length.min ?? 0}..${length.max ?? '∞'}`);
    }
  }
  const range = traits['smithy.api#range'];
  if (range && typeof value === 'number') {
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      errors.push(`${path}: ${value} outside ${range.min ?? '-∞'}..${range.max ?? '∞'}`);
    }
  }
  const pattern = traits['smithy.api#pattern'];
  if (pattern && typeof value === 'string' && !new RegExp(pattern, 'u').test(value)) {
    errors.push(`${path}: does not match ${pattern}`);
  }
  const enumValues = traits['smithy.api#enum'];
  if (enumValues && typeof value === 'string' && !enumValues.some((e) => e.value === value)) {
    errors.push(`${path}: not one of ${enumValues.map((e) => e.value).join(', ')}`);
  }
}

/** Every violation of `shapeId` by `value`, as `path: problem` lines. */
export function checkShape(model: SmithyModel, shapeId: string, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const visit = (id: string, v: unknown, at: string, memberTraits?: Traits): void => {
    const shape = model.shapes[id];
    const type = shape?.type ?? PRELUDE[id];
    if (!type) throw new Error(`unknown shape ${id}`);
    checkTraits(at, v, shape?.traits, errors);
    checkTraits(at, v, memberTraits, errors);
    switch (type) {
      case 'string':
      case 'enum':
        if (typeof v !== 'string') errors.push(`${at}: expected a string`);
        else if (type === 'enum' && shape?.members) {
          const values = Object.entries(shape.members).map(
            ([k, m]) =>
              ((m.traits as Record<string, unknown> | undefined)?.['smithy.api#enumValue'] as string) ?? k,
          );
          if (!values.includes(v)) errors.push(`${at}: not one of ${values.join(', ')}`);
        }
        return;
      case 'integer':
      case 'long':
      case 'short':
      case 'byte':
        if (!Number.isInteger(v)) errors.push(`${at}: expected an integer`);
        return;
      case 'double':
      case 'float':
        if (typeof v !== 'number' || !Number.isFinite(v)) errors.push(`${at}: expected a number`);
        return;
      case 'boolean':
        if (typeof v !== 'boolean') errors.push(`${at}: expected a boolean`);
        return;
      case 'timestamp':
        if (typeof v !== 'number' && typeof v !== 'string') errors.push(`${at}: expected a timestamp`);
        return;
      case 'list':
        if (!Array.isArray(v)) errors.push(`${at}: expected a list`);
        else v.forEach((item, i) => visit(shape!.member!.target, item, `${at}[${i}]`));
        return;
      case 'map':
        if (!v || typeof v !== 'object' || Array.isArray(v)) errors.push(`${at}: expected a map`);
        else
          for (const [k, item] of Object.entries(v)) {
            visit(shape!.key!.target, k, `${at}{key}`);
            visit(shape!.value!.target, item, `${at}.${k}`);
          }
        return;
      case 'structure': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) {
          errors.push(`${at}: expected a structure`);
          return;
        }
        const record = v as Record<string, unknown>;
        for (const key of Object.keys(record)) {
          if (!shape!.members?.[key]) errors.push(`${at}.${key}: not a member of ${id}`);
        }
        for (const [name, member] of Object.entries(shape!.members ?? {})) {
          const item = record[name];
          if (item === undefined || item === null) {
            if (member.traits?.['smithy.api#required']) errors.push(`${at}.${name}: required`);
            continue;
          }
          visit(member.target, item, `${at}.${name}`, member.traits);
        }
        return;
      }
      default:
        return;
    }
  };
  visit(shapeId, value, path);
  return errors;
}
