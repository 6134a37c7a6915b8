/* Command numbers of the peripheral protocol (docs/peripheral-protocol.md): the MCU asks the
 * secure element, NFC front-end, e-paper controller and NOR flash over their own UARTs. Most
 * commands carry one HAL ABI call; host-tools/src/sim/peripherals/chip-ops.ts holds the same
 * table (a test compares them). A response is the command number | 0x80, same seq. */
#ifndef TK_CHIP_OPS_H
#define TK_CHIP_OPS_H

#define CHIP_PROTOCOL_VERSION 1

/* every chip */
#define OP_HELLO 0x01 /* (out name) -> protocol version; resets the chip's session */

/* secure element (UART1) */
#define OP_KS_INFO 0x10        /* (u32 slot) */
#define OP_KS_GENERATE 0x11    /* (u32 slot, u32 alg) */
#define OP_KS_IMPORT 0x12      /* (u32 slot, u32 alg, in material) */
#define OP_KS_PUBLIC_KEY 0x13  /* (u32 slot, out key) */
#define OP_KS_SIGN 0x14        /* (u32 slot, in msg, out sig) */
#define OP_KS_VERIFY 0x15      /* (u32 alg, in pub, in msg, in sig) */
#define OP_KS_AES 0x16         /* (u32 slot, u32 mode, in iv, in data, out data) */
#define OP_KS_CMAC 0x17        /* (u32 slot, in msg, out mac[16]) */
#define OP_KS_DERIVE_CMAC 0x18 /* (u32 slot, in msg, u32 dest) */
#define OP_SHA256 0x19         /* (in msg, out digest[32]) */
#define OP_HMAC_SHA256 0x1A    /* (u32 slot, in msg, out mac[32]) */
#define OP_RANDOM 0x1B         /* (out bytes) */
#define OP_CLOCK_UNIX 0x1C     /* (out seconds[8], little-endian; 0 = no trusted time) */
#define OP_KS_UNWRAP 0x1D      /* (u32 slot, u32 alg, in ephemeral key + wrapped key, u32 dest) */

/* SPI NOR flash (UART4) */
#define OP_FLASH_GEOMETRY 0x20 /* (u32 region, out geometry[16]) */
#define OP_FLASH_READ 0x21     /* (u32 region, u32 offset, out bytes) */
#define OP_FLASH_PROGRAM 0x22  /* (u32 region, u32 offset, in bytes) */
#define OP_FLASH_ERASE 0x23    /* (u32 region, u32 page) */

/* e-paper controller (UART3) */
#define OP_DISPLAY_GEOMETRY 0x30 /* (out geometry[16]) */
#define OP_DISPLAY_BLIT 0x31     /* (u32 x, u32 y, u32 w, u32 h, in rows) */
#define OP_DISPLAY_REFRESH 0x32  /* (u32 mode) */

/* NFC front-end (UART2) */
#define OP_NFC_CONFIGURE 0x40 /* (u32 personality, in uid) */
#define OP_NFC_POLL 0x41      /* (out command) -> event below, command bytes for 3 and 4 */
#define OP_NFC_ANSWER 0x42    /* (in response) answers the last APDU/T2T event */
#define OP_ATTENTION 0x7F     /* chip -> MCU, unsolicited, empty: "poll me" (an IRQ line) */

#define NFC_EVENT_NONE 0
#define NFC_EVENT_FIELD_OFF 1
#define NFC_EVENT_FIELD_ON 2
#define NFC_EVENT_APDU 3
#define NFC_EVENT_T2T 4

#define OP_RESPONSE 0x80

/* Largest frame body (command, seq, arguments or result and data; before CRC and SLIP). */
#define CHIP_MAX_BODY 8192u
/* Per attempt; a command is sent at most 1 + CHIP_RETRIES times with the same seq. */
#define CHIP_TIMEOUT_MS 2000u
#define CHIP_RETRIES 2

#endif
