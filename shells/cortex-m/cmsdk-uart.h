/* CMSDK APB UART driver: interrupt-driven receive into one ring per UART, and a transmit
 * ring for the link (UART0) drained by its TX interrupt. A full RX ring leaves the byte in
 * the UART, which then refuses the next one: nothing is lost, the sender waits. */
#ifndef TK_CMSDK_UART_H
#define TK_CMSDK_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_LINK 0
#define UART_SE 1
#define UART_NFC 2
#define UART_EPD 3
#define UART_NOR 4

void uart_init_all(uint32_t baud);
/* Next received byte, or -1 when none is waiting. */
int uart_getc(int n);
bool uart_rx_ready(int n);
/* Blocking single-byte send (chip UARTs). */
void uart_putc(int n, uint8_t c);
/* Link TX: queue up to len bytes, return how many fit. */
uint32_t uart_link_write(const uint8_t *p, uint32_t len);
uint32_t uart_link_tx_pending(void);

#endif
