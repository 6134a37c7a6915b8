// Link protocol v1 numbers (docs/link-protocol.md): version, channels, header flags.

export const LINK_VERSION: i32 = 1;
export const HEADER_LEN: i32 = 4;
export const CRC_LEN: i32 = 4;

export const CH_SHELL: i32 = 0;
export const CH_APP: i32 = 1;
export const CH_LOG: i32 = 2;
export const CH_NFC_TEST: i32 = 3;
/** Channels are a nibble; 0..3 exist in v1. */
export const CHANNELS: i32 = 4;

export const FLAG_RESP: u8 = 1;
export const FLAG_ERR: u8 = 2;
export const FLAG_EVENT: u8 = 4;
