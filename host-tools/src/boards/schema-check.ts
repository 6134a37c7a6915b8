// Checks a parsed board document against boards/board.schema.json with ajv and turns
// ajv's errors into BoardProblems that name the field and the rule in plain words.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { BOARDS_DIR } from "../paths.ts";
import type { BoardProblem } from "./board-error.ts";

export const BOARD_SCHEMA_PATH = join(BOARDS_DIR, "board.schema.json");

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(BOARD_SCHEMA_PATH, "utf8"));
    // strict off: the schema's draft-07 tuple items carry sibling keywords next to $ref,
    // which is valid draft-07 but trips ajv's extra strictness checks.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Returns every schema problem of the document (empty when it conforms). */
export function checkBoardSchema(doc: unknown): BoardProblem[] {
  const validate = validator();
  if (validate(doc)) return [];
  return pickOneOfBranches(validate.errors ?? []).map(toProblem);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

const article = (t: string) => (/^[aeiou]/.test(t) ? `an ${t}` : t === "null" ? "null" : `a ${t}`);

function toProblem(e: ErrorObject): BoardProblem {
  const p = e.params as Record<string, any>;
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  const why = described ? ` — ${described}` : "";
  switch (e.keyword) {
    case "required":
      return { pointer: `${e.instancePath}/${p.missingProperty}`, rule: "is required but missing" };
    case "additionalProperties":
      return {
        pointer: `${e.instancePath}/${p.additionalProperty}`,
        rule: `is not a known field (allowed here: ${Object.keys((e.parentSchema as any)?.properties ?? {}).join(", ")})`,
      };
    case "type":
      return { pointer: e.instancePath, rule: `must be ${article(String(p.type))} (got ${jsonType(e.data)} ${show(e.data)})` };
    case "enum":
      return { pointer: e.instancePath, rule: `must be one of ${p.allowedValues.map(show).join(", ").replaceAll('"', "")} (got ${show(e.data)})` };
    case "const":
      return { pointer: e.instancePath, rule: `must be ${show(p.allowedValue)} (got ${show(e.data)})` };
    case "pattern":
      return { pointer: e.instancePath, rule: `must match ${p.pattern} (got ${show(e.data)})${why}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { pointer: e.instancePath, rule: `must be ${p.comparison} ${p.limit} (got ${show(e.data)})${why}` };
    case "minItems":
      return { pointer: e.instancePath, rule: `must have at least ${p.limit} entries (got ${(e.data as unknown[]).length})` };
    case "maxItems":
      return { pointer: e.instancePath, rule: `must have at most ${p.limit} entries (got ${(e.data as unknown[]).length})` };
    case "uniqueItems":
      return { pointer: e.instancePath, rule: `must not repeat entries (entries ${p.j} and ${p.i} are the same)` };
    case "maxLength":
      return { pointer: e.instancePath, rule: `must be at most ${p.limit} characters` };
    case "minLength":
      return { pointer: e.instancePath, rule: `must be at least ${p.limit} characters` };
    case "oneOf":
      return { pointer: e.instancePath, rule: `must be one of: ${describeOneOf(e.schema)} (got ${jsonType(e.data)})` };
    default:
      return { pointer: e.instancePath, rule: `${e.message ?? "is invalid"} (schema rule ${e.schemaPath})` };
  }
}

function describeOneOf(branches: unknown): string {
  if (!Array.isArray(branches)) return "the allowed shapes";
  return branches
    .map((b: any) => (b?.type ? String(b.type) : "a value"))
    .map(article)
    .join(" or ");
}

/**
 * A failed oneOf makes ajv report every branch's errors. When the value clearly meant one
 * branch (its errors are deeper than a plain type mismatch or a different `kind`-like
 * constant), report only that branch, so `"display": {"width": "x", ...}` says
 * "/display/width must be an integer" rather than "must be null", and a `shell` of kind
 * "qemu" is checked as a QEMU shell.
 */
function pickOneOfBranches(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  for (const one of errors.filter((e) => e.keyword === "oneOf")) {
    const prefix = `${one.schemaPath}/`;
    const branchOf = (e: ErrorObject) => (e.schemaPath.startsWith(prefix) ? e.schemaPath.slice(prefix.length).split("/")[0] : undefined);
    const isTypeMiss = (e: ErrorObject) => e.instancePath === one.instancePath && e.keyword === "type";
    const isOtherKind = (e: ErrorObject) =>
      e.keyword === "const" && e.instancePath.startsWith(`${one.instancePath}/`) && !e.instancePath.slice(one.instancePath.length + 1).includes("/");
    const notMeant = new Set(out.filter(isOtherKind).map(branchOf));
    const meant = new Set(out.filter((e) => branchOf(e) !== undefined && !isTypeMiss(e) && !notMeant.has(branchOf(e))).map(branchOf));
    if (meant.size === 1) {
      out = out.filter((e) => e !== one && (branchOf(e) === undefined || meant.has(branchOf(e))));
    } else {
      out = out.filter((e) => branchOf(e) === undefined);
    }
  }
  return out;
}
