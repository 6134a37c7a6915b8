// The op catalogue (every link op, its arguments, results, boards and states) and the typed
// client derived from it. Layer: above link, below device/qr/ndef/wallet/cli.
export { GROUPS, OPS, type CatalogueOp, type GroupName, type OpName } from "./catalogue.ts";
export {
  opsClient,
  clientPath,
  findOp,
  opChannel,
  definedArgs,
  opRequestFrame,
  type OpsClient,
  type OpArgs,
  type OpArgsParam,
  type OpResult,
  type OpRequester,
} from "./client.ts";
export type { ArgSpec, BoardMode, Channel, GroupSpec, Kind, LifecycleState, OpSpec, ShapeSpec } from "./schema.ts";
export { LIFECYCLE_STATES } from "./schema.ts";
