// The wallet library's public surface: voucher and certificate formats, verification,
// settlement, issuer tooling, the card and plaque (acceptor) clients over the device link,
// the bench relay between them, the owner's PIN-guarded operations, and voucher files.
export * from "../cose/sig-alg.ts";
export * from "../cose/det-cbor.ts";
export * from "../cose/cose-sign1.ts";
export * from "./voucher.ts";
export * from "./certificate.ts";
export * from "./bundle.ts";
export * from "./verify-voucher.ts";
export * from "./settle.ts";
export * from "./issuer.ts";
export * from "./sync-token.ts";
export * from "./card-client.ts";
export * from "./card-link.ts";
export * from "./plaque-client.ts";
export * from "./accept-flow.ts";
export * from "./owner-session.ts";
export * from "./voucher-files.ts";
export * from "./voucher-custody.ts";
