/* Exact Cortex-M instruction counts of the firmware's export calls, for `tapkit bench`: the
 * host runs QEMU with -icount shift=S (every guest instruction takes 2^S virtual ns) and passes
 * `count=S` on the semihosting command line. Off otherwise (every hook is one load and a
 * branch). What a count holds, and what it leaves out, is in perf.c. */
#ifndef TK_PERF_H
#define TK_PERF_H
#include <stdint.h>

/* The export calls counted, in the order of tk_perf's arrays (host-tools/src/bench/cortex-m-costs.ts). */
enum perf_export { PERF_INSTANTIATE, PERF_INIT, PERF_LINK_RX, PERF_TICK, PERF_NFC_FIELD, PERF_NFC_APDU, PERF_NFC_T2T, PERF_EXPORTS };

/* Reads `count=S` from the command line; with it, starts the timer and calibrates. */
void perf_init(const char *cmdline);
/* Around one export call (main loop only; calls do not nest). */
void perf_call_begin(enum perf_export which);
void perf_call_end(void);
/* Around work that is not the MCU's own and whose length the host decides (a chip's answer,
 * the link UART draining): not counted, interrupts served meanwhile. Nests. */
void perf_pause(void);
void perf_resume(void);
int perf_counting(void);
/* Processor cycles from the counting timer (only while counting). */
uint64_t perf_cycles(void);
/* Instructions counted so far in the calls other than tk_tick, up to this point of the current
 * one: the firmware's clock while counting (clock.c). */
uint64_t perf_work(void);

#endif
