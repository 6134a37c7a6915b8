/* MCU side of the peripheral protocol (docs/peripheral-protocol.md): one command at a time
 * to a chip on its UART, SLIP-framed with a CRC-16, answered with the same seq; a lost or
 * damaged answer is retried with the same seq, which the chip answers from its cache. */
#ifndef TK_CHIP_LINK_H
#define TK_CHIP_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include "chip-ops.h"

typedef struct {
  uint8_t uart;
  uint8_t seq;
  bool present;
  const char *name;
} chip_t;

enum { CHIP_U32, CHIP_IN, CHIP_OUT };
typedef struct {
  uint8_t kind;
  uint32_t value; /* CHIP_U32 */
  uint8_t *ptr;   /* CHIP_IN: bytes sent; CHIP_OUT: where the answer's data goes */
  uint32_t len;   /* CHIP_IN: length; CHIP_OUT: capacity */
} chip_arg;

#define ARG_U32(v) ((chip_arg){CHIP_U32, (uint32_t)(v), 0, 0})
#define ARG_IN(p, n) ((chip_arg){CHIP_IN, 0, (uint8_t *)(p), (uint32_t)(n)})
#define ARG_OUT(p, n) ((chip_arg){CHIP_OUT, 0, (uint8_t *)(p), (uint32_t)(n)})

extern chip_t chip_se, chip_nfc, chip_epd, chip_nor;

/* HELLO: resets the chip's session and marks it present (or absent, on no answer). */
bool chip_hello(chip_t *chip);
/* Sends a command and waits for its answer: the result (a HAL return value), or E_IO when
 * the chip does not answer, E_RANGE when the arguments exceed one frame. *out_len gets the
 * bytes written to the CHIP_OUT argument. */
int32_t chip_call(chip_t *chip, uint8_t op, const chip_arg *args, int nargs, uint32_t *out_len);
/* Processor cycles spent asleep waiting for chips' answers (to tell the MCU's own work
 * from the host's: under -icount the rest is instructions executed). */
extern uint64_t chip_wait_cycles;
/* Reads what the NFC front-end sent between commands; true once it asked to be polled. */
bool chip_nfc_attention(void);

#endif
