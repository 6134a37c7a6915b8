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

/* While counting, the reading is not the MCU's work to count: its value depends on when the
 * host did things, and the 64-bit division's length (a library routine) on the value. */
/* While counting, the clock also starts at COUNTING_EPOCH_MS: the firmware writes timestamps
 * into its link log as CBOR integers, whose length (and the instructions to encode them) steps
 * at 24, 256 and 65,536. From 65,536 ms up every reading has the same length, so a boot that
 * the host's pace makes 200 or 300 ms long counts the same (it differed by 3 instructions). */
#define COUNTING_EPOCH_MS 65536u

uint64_t clock_now_ms(void) {
  perf_pause();
  uint64_t ms = clock_cycles() / (CPU_HZ / 1000u);
  perf_resume();
  return perf_counting() ? ms + COUNTING_EPOCH_MS : ms;
}

void systick_isr(void) { ticks++; }
