// docs/link-protocol.md's op tables, generated from the catalogue: the groups, then per
// channel one table per group (op, id, arguments, result, boards, whether it changes state).
// The block sits between two markers in the doc; `node --import tsx scripts/gen-op-docs.ts`
// rewrites it and a test fails when the committed doc differs.
import { GROUPS, OPS } from "./catalogue.ts";
import { LIFECYCLE_STATES, type ArgSpec, type Channel, type GroupSpec, type OpSpec, type ShapeSpec } from "./schema.ts";

export const DOC_BEGIN =
  "<!-- op tables: generated from host-tools/src/ops/catalogue.ts by `node --import tsx scripts/gen-op-docs.ts`; do not edit by hand -->";
export const DOC_END = "<!-- end of generated op tables -->";

const CHANNEL_ORDER: readonly [Channel, number][] = [
  ["shell", 0],
  ["app", 1],
  ["log", 2],
  ["nfc-test", 3],
];

function rangeText(spec: ArgSpec): string {
  if (!spec.range) return "";
  const [lo, hi] = spec.range;
  const span = hi === undefined ? `>= ${lo}` : lo === hi ? `${lo}` : `${lo}..${hi}`;
  if (spec.kind === "uint") return ` ${span}`;
  return `, ${span} ${spec.kind === "array" ? "items" : spec.kind === "text" ? "characters" : "bytes"}`;
}

function argText(key: string, spec: ArgSpec): string {
  const kind = spec.kind === "array" ? `array of ${spec.items!.replaceAll("|", " or ")}` : spec.kind.replaceAll("|", " or ");
  return `\`${key}\`${spec.required ? "" : "?"}: ${kind}${rangeText(spec)} — ${spec.doc}`;
}

function shapeKeys(shape: { readonly [key: string]: ShapeSpec }): string {
  const keys = Object.keys(shape);
  return keys.length ? keys.map((k) => `\`${k}\``).join(", ") : "`{}`";
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function opRow(op: OpSpec, withStates: boolean): string {
  const args = Object.entries(op.args).map(([k, a]) => argText(k, a));
  const cells = [
    `\`${op.name}\``,
    String(op.id),
    `${op.summary}${args.length ? ` Arguments: ${args.join("; ")}.` : ""}`,
    op.resultDoc ?? shapeKeys(op.result),
    op.boards.join(", "),
    ...(withStates ? [op.states.join(", ")] : []),
    op.changesState ? "yes" : "no",
  ];
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** The generated block, markers included. */
function opTablesMarkdown(ops: readonly OpSpec[] = OPS, groups: Record<string, GroupSpec> = GROUPS): string {
  const withStates = ops.some((o) => o.states.length !== LIFECYCLE_STATES.length);
  const out: string[] = [
    DOC_BEGIN,
    "",
    "Ops come in groups (MCUmgr style): each group has a numeric id, a channel and the firmware",
    "folder that owns its handlers; each op has an id within its group. The request's `op` is",
    "the op's name. A name ending in `?` below is an optional argument.",
    withStates
      ? "The states column lists the lifecycle states an op is served in; elsewhere it is answered `unsupported`."
      : `Every op is served in every lifecycle state (${LIFECYCLE_STATES.join(", ")}).`,
    '"Changes state": the op changes what the device keeps or shows (store, keys, tag, panel, NFC mode).',
    "",
    "| group | id | channel | owner | what |",
    "|---|---|---|---|---|",
    ...Object.entries(groups)
      .sort(([, a], [, b]) => a.id - b.id)
      .map(([name, g]) => `| \`${name}\` | ${g.id} | ${g.channel} | ${g.owner} | ${cell(g.doc)} |`),
  ];
  for (const [channel, number] of CHANNEL_ORDER) {
    out.push("", `### ${channel} channel (${number})`);
    for (const [name, g] of Object.entries(groups)
      .filter(([, g]) => g.channel === channel)
      .sort(([, a], [, b]) => a.id - b.id)) {
      const list = ops.filter((o) => o.group === name);
      if (!list.length) continue;
      out.push(
        "",
        `Group \`${name}\` (${g.id}, ${g.owner}):`,
        "",
        `| op | id | what, arguments | result | boards |${withStates ? " states |" : ""} changes state |`,
        `|---|---|---|---|---|${withStates ? "---|" : ""}---|`,
        ...list.map((o) => opRow(o, withStates)),
      );
    }
  }
  out.push("", DOC_END);
  return out.join("\n");
}

/** `doc` with its generated block replaced by `block`; throws when the markers are missing. */
export function withOpTables(doc: string, block: string = opTablesMarkdown()): string {
  const start = doc.indexOf(DOC_BEGIN);
  const end = doc.indexOf(DOC_END);
  if (start < 0 || end < start) throw new Error(`docs/link-protocol.md lacks the op-table markers (${DOC_BEGIN} ... ${DOC_END})`);
  return doc.slice(0, start) + block + doc.slice(end + DOC_END.length);
}
