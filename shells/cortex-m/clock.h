/* Milliseconds since reset from SysTick (1 kHz interrupt on the processor clock). */
#ifndef TK_CLOCK_H
#define TK_CLOCK_H
#include <stdint.h>
void clock_init(void);
uint64_t clock_now_ms(void);
#endif
