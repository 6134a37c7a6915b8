// NDEF library: records and messages, tap-URL templates, lint, and the Type 4/Type 2 reader
// procedures.
export { URI_PREFIXES, bestUriCode } from "./uri-prefixes.ts";
export { decodeMessage, encodeMessage, FLAG, TNF, type NdefRecord } from "./record.ts";
export { aarRecord, describeRecord, externalRecord, smartPosterRecord, textRecord, uriRecord, AAR_TYPE, type RecordView } from "./records.ts";
export { lintMessage, LINT_ERRORS, LINT_WARNINGS, MESSAGE_CAP, type LintResult } from "./lint.ts";
export { buildTapTemplate, MODE_IDS, type TagConfig, type TapMode, type TapTemplateOptions } from "./tap-template.ts";
export { readNdefType4, validateCc, type CapabilityContainer, type T4tRead, type Transceive } from "./t4t-reader.ts";
export { readNdefType2, type T2tRead } from "./t2t-reader.ts";
export { firmwareNdefBuild, firmwareNdefLint, firmwareNdefParse, getTag, restoreArgs, setPersonality, setTag, type TagState } from "./tag-client.ts";
