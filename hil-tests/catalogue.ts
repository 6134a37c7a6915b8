// The catalogue as data: what `tapkit hil --list` prints and docs/conformance.md describes.
// No device needed; every field comes from the case declarations.
import { ALL_ROLES, type ConformanceCase, type Role } from "./case.ts";

export interface CatalogueEntry {
  id: string;
  area: string;
  title: string;
  ref: string;
  tags: string[];
  roles: Role[];
  /** what the case changes on the device, or null when it restores everything */
  changes: string | null;
}

export function catalogueEntries(cases: ConformanceCase[]): CatalogueEntry[] {
  return cases.map((c) => ({
    id: c.id,
    area: c.area,
    title: c.title,
    ref: c.ref,
    tags: c.tags ?? [],
    roles: [...(c.roles ?? ALL_ROLES)],
    changes: c.changes ?? null,
  }));
}

/** Case counts per area, in catalogue order. */
export function countsByArea(cases: ConformanceCase[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cases) out[c.area] = (out[c.area] ?? 0) + 1;
  return out;
}
