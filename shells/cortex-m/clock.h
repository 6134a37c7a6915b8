/* Milliseconds and processor cycles since reset, from SysTick on the processor clock. */
#ifndef TK_CLOCK_H
#define TK_CLOCK_H
#include <stdint.h>
void clock_init(void);
uint64_t clock_now_ms(void);
/* The time the firmware is given (hal clock_ms and clock_unix, tk_tick): clock_now_ms, or
 * while counting the firmware's own counted work (clock.c), the same in every run. */
uint64_t clock_firmware_ms(void);
/* Processor clock cycles since reset (CPU_HZ), from the tick count and SysTick's down-counter.
 * Under QEMU -icount shift=0 one cycle is 40 guest instructions (1 ns each, 25 MHz). */
uint64_t clock_cycles(void);
#endif
