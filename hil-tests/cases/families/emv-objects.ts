// EMVCo Merchant-Presented Mode data-object rules as a table: each rule is one case, checked
// on the static and a dynamic payload the plaque's firmware builds from its profile. The
// TLV walk and CRC here are written from the specification (ID 2 digits, length 2 digits,
// CRC-16/CCITT-FALSE over everything up to and including "6304"), not taken from our host
// builder; amount grammar rows check what the firmware accepts and refuses.
import { requireMerchantProfile } from "../merchant-profile.ts";
import assert from "../../check.ts";
import type { CaseContext, ConformanceCase } from "../../case.ts";

const area = "emv";
const MPM = "EMVCo MPM 1.1";

interface Tlv {
  id: string;
  len: number;
  value: string;
}

/** ID(2) LEN(2) VALUE, as MPM §4.1 defines it; throws on a malformed walk. */
function tlvs(text: string): Tlv[] {
  const out: Tlv[] = [];
  for (let i = 0; i < text.length; ) {
    const id = text.slice(i, i + 2);
    const lenText = text.slice(i + 2, i + 4);
    assert.match(id, /^\d{2}$/, `ID at ${i} is two digits`);
    assert.match(lenText, /^\d{2}$/, `length of ${id} is two digits`);
    const len = Number(lenText);
    assert.ok(i + 4 + len <= text.length, `${id}: length ${len} runs past the payload`);
    out.push({ id, len, value: text.slice(i + 4, i + 4 + len) });
    i += 4 + len;
  }
  return out;
}

function crc16(text: string): string {
  let crc = 0xffff;
  for (const b of new TextEncoder().encode(text)) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, "0");
}

async function payloads(ctx: CaseContext): Promise<{ st: string; dy: string; amount: string; bill: string }> {
  await requireMerchantProfile(ctx);
  const amount = "12.34";
  const bill = "CONF-1";
  const st = (await ctx.device.ops.emv.build()).payload;
  const dy = (await ctx.device.ops.emv.build({ amount, bill, ref: 7 })).payload;
  return { st, dy, amount, bill };
}

const get = (objs: Tlv[], id: string) => objs.find((o) => o.id === id);

interface Rule {
  title: string;
  clause: string;
  check(p: { st: Tlv[]; dy: Tlv[]; stText: string; dyText: string; amount: string; bill: string }): void;
}

const RULES: Rule[] = [
  {
    title: "both payloads are a well-formed ID/length/value sequence",
    clause: "§4.1 (data object format)",
    check: ({ st, dy }) => assert.ok(st.length > 5 && dy.length > 5),
  },
  {
    title: "Payload Format Indicator (00) is the first object, value 01",
    clause: "§4.2.1, Table 3.3",
    check: ({ st, dy }) => {
      for (const p of [st, dy]) assert.deepEqual([p[0].id, p[0].value], ["00", "01"]);
    },
  },
  {
    title: "Point of Initiation Method (01) is 11 on the static and 12 on the dynamic code",
    clause: "§4.2.2",
    check: ({ st, dy }) => {
      assert.equal(get(st, "01")?.value, "11");
      assert.equal(get(dy, "01")?.value, "12");
    },
  },
  {
    title: "at least one Merchant Account Information object (02-51)",
    clause: "§4.3 (Merchant Account Information)",
    check: ({ st }) => assert.ok(st.some((o) => Number(o.id) >= 2 && Number(o.id) <= 51)),
  },
  {
    title: "templates 26-51 hold a Globally Unique Identifier (sub-object 00) and well-formed sub-objects",
    clause: "§4.3.1 (templates 26-51), §4.1",
    check: ({ st }) => {
      const templates = st.filter((o) => Number(o.id) >= 26 && Number(o.id) <= 51);
      for (const t of templates) {
        const subs = tlvs(t.value);
        assert.equal(subs[0]?.id, "00", `template ${t.id} starts with its GUI`);
        assert.ok(subs[0].len >= 1 && subs[0].len <= 32, `template ${t.id} GUI length 1..32`);
      }
    },
  },
  {
    title: "Merchant Category Code (52) is 4 digits",
    clause: "§4.4.1 (ISO 18245)",
    check: ({ st }) => assert.match(get(st, "52")?.value ?? "", /^\d{4}$/),
  },
  {
    title: "Transaction Currency (53) is 3 digits (ISO 4217 numeric)",
    clause: "§4.4.2",
    check: ({ st, dy }) => {
      assert.match(get(st, "53")?.value ?? "", /^\d{3}$/);
      assert.equal(get(dy, "53")?.value, get(st, "53")?.value);
    },
  },
  {
    title: "Transaction Amount (54) is absent from the static code",
    clause: "§4.4.3 (54 conditional: dynamic codes)",
    check: ({ st }) => assert.equal(get(st, "54"), undefined),
  },
  {
    title: "Transaction Amount (54) on the dynamic code is the amount asked for, digits and one '.' at most 13 characters",
    clause: "§4.4.3",
    check: ({ dy, amount }) => {
      const v = get(dy, "54")?.value ?? "";
      assert.equal(v, amount);
      assert.match(v, /^\d+(\.\d+)?$/);
      assert.ok(v.length <= 13);
    },
  },
  {
    title: "Country Code (58) is 2 upper-case letters (ISO 3166-1 alpha-2)",
    clause: "§4.4.5",
    check: ({ st }) => assert.match(get(st, "58")?.value ?? "", /^[A-Z]{2}$/),
  },
  {
    title: "Merchant Name (59) is present, 1-25 characters",
    clause: "§4.4.6",
    check: ({ st }) => {
      const n = get(st, "59");
      assert.ok(n && n.len >= 1 && n.len <= 25, `name length ${n?.len}`);
    },
  },
  {
    title: "Merchant City (60) is present, 1-15 characters",
    clause: "§4.4.7",
    check: ({ st }) => {
      const c = get(st, "60");
      assert.ok(c && c.len >= 1 && c.len <= 15, `city length ${c?.len}`);
    },
  },
  {
    title: "Postal Code (61), when present, is at most 10 characters",
    clause: "§4.4.8",
    check: ({ st }) => assert.ok((get(st, "61")?.len ?? 0) <= 10),
  },
  {
    title: "Additional Data (62) of the dynamic code: bill number 01 as asked, reference label 05, well-formed",
    clause: "§4.5 (Additional Data Field Template)",
    check: ({ dy, bill }) => {
      const subs = tlvs(get(dy, "62")?.value ?? "");
      assert.equal(get(subs, "01")?.value, bill);
      assert.ok((get(subs, "05")?.len ?? 0) >= 1, "reference label present");
      for (const s of subs) assert.ok(s.len <= 25, `62/${s.id} at most 25 characters`);
    },
  },
  {
    title: "CRC (63) is the last object, length 04, 4 upper-case hex digits",
    clause: "§4.6.1",
    check: ({ st, dy }) => {
      for (const p of [st, dy]) {
        const last = p[p.length - 1];
        assert.deepEqual([last.id, last.len], ["63", 4]);
        assert.match(last.value, /^[0-9A-F]{4}$/);
      }
    },
  },
  {
    title: "CRC value is CRC-16/CCITT-FALSE (poly 1021, init FFFF) over the payload through '6304'",
    clause: "§4.6.1 (ISO/IEC 13239)",
    check: ({ stText, dyText }) => {
      for (const t of [stText, dyText]) assert.equal(t.slice(-4), crc16(t.slice(0, -4)), "CRC");
    },
  },
  {
    title: "no data object ID appears twice",
    clause: "§4.1",
    check: ({ st, dy }) => {
      for (const p of [st, dy]) assert.equal(new Set(p.map((o) => o.id)).size, p.length);
    },
  },
  {
    title: "every character is in the alphanumeric special set (printable ASCII) and the payload is at most 512 characters",
    clause: "§4.1 (ans format), §4.7 (payload length)",
    check: ({ stText, dyText }) => {
      for (const t of [stText, dyText]) {
        assert.match(t, /^[\x20-\x7e]+$/);
        assert.ok(t.length <= 512);
      }
    },
  },
];

const REFUSED_AMOUNTS: [string, string][] = [
  ["0", "zero"],
  ["0.00", "zero with decimals"],
  ["1.234", "three decimals for a two-decimal currency"],
  ["12345678901234", "14 characters"],
  ["1,5", "a comma"],
  ["-1", "a sign"],
  ["1e3", "an exponent"],
  [".5", "no integer digit"],
];
const ACCEPTED_AMOUNTS = ["1", "0.01", "12.3", "999999999.99"];

const pad = (n: number) => String(n).padStart(3, "0");

export const EMV_CASES: ConformanceCase[] = [
  ...RULES.map(
    (r, i): ConformanceCase => ({
      id: `EMV-DO-${pad(i + 1)}`,
      area,
      title: r.title,
      ref: `${MPM} ${r.clause}`,
      tags: ["emv", "mpm"],
      roles: ["plaque"],
      async run(ctx) {
        const p = await payloads(ctx);
        r.check({ st: tlvs(p.st), dy: tlvs(p.dy), stText: p.st, dyText: p.dy, amount: p.amount, bill: p.bill });
      },
    }),
  ),
  ...REFUSED_AMOUNTS.map(
    ([amount, why], i): ConformanceCase => ({
      id: `EMV-AMT-${pad(i + 1)}`,
      area,
      title: `amount "${amount}" (${why}) is refused, naming data object 54`,
      ref: `${MPM} §4.4.3 (Transaction Amount format)`,
      tags: ["emv", "amount"],
      roles: ["plaque"],
      async run(ctx) {
        await payloads(ctx);
        await assert.rejects(ctx.device.ops.emv.build({ amount }), /amount \(54\)/);
      },
    }),
  ),
  ...ACCEPTED_AMOUNTS.map(
    (amount, i): ConformanceCase => ({
      id: `EMV-AMT-${pad(REFUSED_AMOUNTS.length + i + 1)}`,
      area,
      title: `amount "${amount}" is accepted and carried unchanged in 54`,
      ref: `${MPM} §4.4.3 (Transaction Amount format)`,
      tags: ["emv", "amount"],
      roles: ["plaque"],
      async run(ctx) {
        await payloads(ctx);
        const dy = tlvs((await ctx.device.ops.emv.build({ amount })).payload);
        assert.equal(get(dy, "54")?.value, amount);
      },
    }),
  ),
];
