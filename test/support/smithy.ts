// Validation of values against a Smithy 2.0 JSON AST shape (required
// members, lengths, ranges, patterns, enums, nested structures, lists, maps),
// with the service's own wording ("Value ... at 'path' failed to satisfy
// constraint: ..."). Shared by the X-Ray API stand-in and the tests that
// check aws/json/x-ray.json.

export interface ShapeRef {
  target: string;
  traits?: Record<string, unknown>;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  input?: ShapeRef;
  output?: ShapeRef;
  traits?: Record<string, unknown>;
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
  'smithy.api#PrimitiveLong': 'long',
  'smithy.api#Timestamp': 'timestamp',
  'smithy.api#Document': 'document',
  'smithy.api#Blob': 'blob',
};

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  return `'${JSON.stringify(value)}'`;
}

export class Validator {
  readonly errors: string[] = [];
  constructor(private readonly model: SmithyModel) {}

  private fail(value: unknown, path: string, constraint: string): void {
    this.errors.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** Validates `value` against `target`, with the referring member's traits layered over the shape's. */
  check(value: unknown, target: string, path: string, memberTraits: Record<string, unknown> = {}): void {
    const shape: Shape = this.model.shapes[target] ?? { type: PRELUDE[target] ?? 'document' };
    const traits = { ...(shape.traits ?? {}), ...memberTraits };
    switch (shape.type) {
      case 'structure':
      case 'union': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          this.fail(value, path, 'Member must be a structure');
          return;
        }
        const obj = value as Record<string, unknown>;
        const present = Object.keys(shape.members ?? {}).filter(
          (k) => obj[k] !== undefined && obj[k] !== null,
        );
        if (shape.type === 'union' && present.length !== 1) {
          this.fail(value, path, 'Member must have exactly one member set');
        }
        for (const [name, ref] of Object.entries(shape.members ?? {})) {
          const child = path ? `${path}.${lowerFirst(name)}` : lowerFirst(name);
          const v = obj[name];
          if (v === undefined || v === null) {
            if (ref.traits?.['smithy.api#required'] !== undefined)
              this.fail(null, child, 'Member must not be null');
            continue;
          }
          this.check(v, ref.target, child, ref.traits ?? {});
        }
        return;
      }
      case 'list':
      case 'set': {
        if (!Array.isArray(value)) {
          this.fail(value, path, 'Member must be a list');
          return;
        }
        this.length(value.length, value, path, traits);
        value.forEach((v, i) => {
          if (shape.member)
            this.check(v, shape.member.target, `${path}.${i + 1}.member`, shape.member.traits ?? {});
        });
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          this.fail(value, path, 'Member must be a map');
          return;
        }
        const entries = Object.entries(value as Record<string, unknown>);
        this.length(entries.length, value, path, traits);
        for (const [k, v] of entries) {
          if (shape.key) this.check(k, shape.key.target, `${path}.key`, shape.key.traits ?? {});
          if (shape.value) this.check(v, shape.value.target, `${path}.${k}.value`, shape.value.traits ?? {});
        }
        return;
      }
      case 'string': {
        if (typeof value !== 'string') {
          this.fail(value, path, 'Member must be a string');
          return;
        }
        this.length([...value].length, value, path, traits);
        const pattern = traits['smithy.api#pattern'];
        if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value)) {
          this.fail(value, path, `Member must satisfy regular expression pattern: ${pattern}`);
        }
        const en = traits['smithy.api#enum'] as Array<{ value: string }> | undefined;
        if (en && !en.some((e) => e.value === value)) {
          this.fail(
            value,
            path,
            `Member must satisfy enum value set: [${en.map((e) => e.value).join(', ')}]`,
          );
        }
        return;
      }
      case 'enum': {
        const values = Object.values(shape.members ?? {}).map(
          (m) => (m.traits?.['smithy.api#enumValue'] as string | undefined) ?? '',
        );
        if (typeof value !== 'string' || !values.includes(value)) {
          this.fail(value, path, `Member must satisfy enum value set: [${values.join(', ')}]`);
        }
        return;
      }
      case 'intEnum':
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
      case 'bigInteger': {
        const bits = shape.type === 'long' || shape.type === 'bigInteger' ? 53 : 31;
        if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2 ** bits) {
          this.fail(value, path, 'Member must be an integer');
          return;
        }
        this.range(value, path, traits);
        return;
      }
      case 'float':
      case 'double':
      case 'bigDecimal': {
        // restJson1 sends NaN and the infinities as strings.
        const n =
          typeof value === 'number'
            ? value
            : value === 'NaN'
              ? NaN
              : value === 'Infinity'
                ? Infinity
                : value === '-Infinity'
                  ? -Infinity
                  : undefined;
        if (n === undefined) {
          this.fail(value, path, 'Member must be a number');
          return;
        }
        this.range(n, path, traits);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') this.fail(value, path, 'Member must be a boolean');
        return;
      case 'timestamp':
        if (typeof value !== 'number' && typeof value !== 'string')
          this.fail(value, path, 'Member must be a timestamp');
        return;
      case 'blob':
        if (typeof value !== 'string') this.fail(value, path, 'Member must be base64 text');
        return;
      default:
        return; // document and anything unmodelled: anything goes
    }
  }

  private length(n: number, value: unknown, path: string, traits: Record<string, unknown>): void {
    const len = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
    if (!len) return;
    if (len.min !== undefined && n < len.min) {
      this.fail(value, path, `Member must have length greater than or equal to ${len.min}`);
    }
    if (len.max !== undefined && n > len.max) {
      this.fail(value, path, `Member must have length less than or equal to ${len.max}`);
    }
  }

  private range(n: number, path: string, traits: Record<string, unknown>): void {
    const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
    if (!range) return;
    if (Number.isNaN(n) || (range.min !== undefined && n < range.min)) {
      this.fail(n, path, `Member must have value greater than or equal to ${range.min ?? '-Infinity'}`);
    } else if (range.max !== undefined && n > range.max) {
      this.fail(n, path, `Member must have value less than or equal to ${range.max}`);
    }
  }
}

/** Every violation of `shapeId` by `value`; empty when it conforms. */
export function checkShape(model: SmithyModel, shapeId: string, value: unknown): string[] {
  const v = new Validator(model);
  v.check(value, shapeId, '');
  return v.errors;
}
