/* See clock.h. SysTick interrupts at 100 Hz (each wake-up costs the emulator and a real part
 * power); milliseconds and cycles come from the tick count plus SysTick's down-counter. The
 * 64-bit tick count is read with interrupts masked because a Cortex-M4 loads it in two halves. */
#include "clock.h"
#include "mps2-an386.h"
#include "perf.h"

#define TICK_HZ 100u
#define CYCLES_PER_TICK (CPU_HZ / TICK_HZ)

static volatile uint64_t ticks;

void clock_init(void) {
  SYST_RVR = CYCLES_PER_TICK - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt, processor clock */
}

uint64_t clock_cycles(void) {
  if (perf_counting()) return perf_cycles();
  uint32_t mask = irq_save();
  uint32_t down = SYST_CVR;
  uint64_t now = ticks;
  /* the counter wrapped (its interrupt is pending) but the tick has not been counted yet */
  if (SCB_ICSR & ICSR_PENDSTSET) now++, down = SYST_CVR;
  irq_restore(mask);
  return now * CYCLES_PER_TICK + (CYCLES_PER_TICK - 1u - down);
}

/* Not the MCU's work to count: its value depends on when the host did things, and the 64-bit
 * division's length (a library routine) on the value. Only the shell reads it inside a call,
 * while a chip call has the count paused already. */
uint64_t clock_now_ms(void) {
  perf_pause();
  uint64_t ms = clock_cycles() / (CPU_HZ / 1000u);
  perf_resume();
  return ms;
}

/* While counting, the firmware's clock is its own work: the instructions counted so far (one
 * a cycle at CPU_HZ), with no time passing while it waits for the outside. With the real clock
 * the values the firmware gets, and so its work, depended on the host's pace: a link-log
 * timestamp (or status uptime) whose CBOR bytes hold one 00 more or less takes COBS another
 * path, and a boot the host made last over 256 ms instead of 110 counted 3 instructions fewer. The
 * work clock gives every run the same readings, so its arithmetic is counted like any other. */
uint64_t clock_firmware_ms(void) {
  if (!perf_counting()) return clock_now_ms();
  return perf_work() / (CPU_HZ / 1000u);
}

void systick_isr(void) { ticks++; }
