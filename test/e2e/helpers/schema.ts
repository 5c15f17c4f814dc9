// A validator for the subset of JSON Schema 2020-12 the schemas in schema/ use, $ref between
// them included. Any other keyword throws, so a schema cannot grow a constraint this validator
// would silently ignore.
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./cli.js";

export type Schema = { [keyword: string]: any };

const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "title", "description"]);
const SUPPORTED = new Set([...ANNOTATIONS, "$defs", "$ref", "type", "required", "properties", "additionalProperties", "enum", "items", "oneOf", "const"]);

function hasType(type: string, v: unknown): boolean {
  switch (type) {
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    default:
      throw new Error(`unsupported type ${type}`);
  }
}

/** Every way `value` breaks `schema` (none: it fits); `root` is the document #/ refs point into. */
export function validate(schema: Schema, value: unknown, at = "$", root: Schema = schema): string[] {
  if (schema.$ref !== undefined) {
    const [target, doc] = resolveRef(schema.$ref, root);
    return validate(target, value, at, doc);
  }
  if (schema.oneOf !== undefined) {
    const fits = (schema.oneOf as Schema[]).map((s) => validate(s, value, at, root));
    const ok = fits.filter((e) => e.length === 0).length;
    if (ok !== 1) return [`${at}: matches ${ok} of oneOf's ${fits.length} schemas${ok === 0 ? ` (${fits.map((e) => e[0]).join("; ")})` : ""}`];
  }
  for (const k of Object.keys(schema)) if (!SUPPORTED.has(k)) throw new Error(`${at}: unsupported keyword ${k}`);
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) throw new Error(`${at}: only additionalProperties: false is supported`);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => hasType(t, value))) return [`${at}: expected ${types.join(" or ")}, got ${JSON.stringify(value)}`];
  }
  if (schema.const !== undefined && schema.const !== value) errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (schema.enum !== undefined && !schema.enum.some((e: unknown) => e === value)) errors.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (hasType("object", value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!Object.hasOwn(obj, k)) errors.push(`${at}: missing ${k}`);
    for (const [k, sub] of Object.entries<Schema>(schema.properties ?? {})) if (Object.hasOwn(obj, k)) errors.push(...validate(sub, obj[k], `${at}.${k}`, root));
    if (schema.additionalProperties === false) {
      for (const k of Object.keys(obj)) if (!Object.hasOwn(schema.properties ?? {}, k)) errors.push(`${at}: unexpected ${k}`);
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${at}[${i}]`, root)));
  return errors;
}

/** A schema of schema/ by file name; its $refs are resolved against the same directory. */
export function loadSchema(file: string): Schema {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema", file), "utf8"));
}

/** "heartbeat.schema.json", "#/$defs/x" or "serve.schema.json#/$defs/x": the schema and its root. */
function resolveRef(ref: string, root: Schema): [Schema, Schema] {
  const [file, pointer = ""] = ref.split("#");
  const doc = file ? loadSchema(file) : root;
  let target: Schema = doc;
  for (const part of pointer.split("/").filter(Boolean)) {
    target = target[part];
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  }
  return [target, doc];
}
