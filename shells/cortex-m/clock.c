/* See clock.h. A 64-bit count never wraps; it is read with interrupts masked because a
 * Cortex-M4 loads it in two halves. */
#include "clock.h"
#include "mps2-an386.h"

static volatile uint64_t ms;

void clock_init(void) {
  SYST_RVR = CPU_HZ / 1000u - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt, processor clock */
}

uint64_t clock_now_ms(void) {
  uint32_t mask = irq_save();
  uint64_t now = ms;
  irq_restore(mask);
  return now;
}

void systick_isr(void) { ms++; }

uint64_t clock_cycles(void) {
  uint32_t mask = irq_save();
  uint32_t down = SYST_CVR;
  uint64_t now = ms;
  /* the counter wrapped (its interrupt is pending) but ms has not been counted yet */
  if (SCB_ICSR & ICSR_PENDSTSET) now++, down = SYST_CVR;
  irq_restore(mask);
  return now * (CPU_HZ / 1000u) + (CPU_HZ / 1000u - 1u - down);
}
