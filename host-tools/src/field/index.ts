// The field technician's checks as library calls (the CLI's tap, scan and doctor commands and
// the `tapkit web` page share them): a tap read and verified as a phone and backend would,
// the panel decoded and checked as a customer's phone would, and a one-page device report.
// They open no files and start no processes; panel-decoders.ts (zbarimg on a saved PNG) is
// the PC side's, imported by the CLI itself.
export { checkTap, firstUri, judgeTap, memoryReplay, readTap, type TapCheck, type TapCheckOptions, type TapRead, type TapVerdictKind } from "./tap-check.ts";
export { readPanel, scanFramebuffer, scanPanel, type DecoderResult, type EmvField, type PanelDecoder, type PanelScan } from "./panel-scan.ts";
export { runDoctor, NOT_AVAILABLE, type DoctorOptions, type DoctorProblem, type DoctorReport } from "./doctor.ts";
