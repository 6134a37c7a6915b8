/* See cmsdk-uart.h. QEMU's CMSDK UART has a one-byte buffer each way and delivers the next
 * received byte only after DATA is read, so the RX ring is how bytes queue up. */
#include "cmsdk-uart.h"
#include "mps2-an386.h"
#include "perf.h"

#define RX_RING 256u    /* power of two */
#define LINK_TX_RING 4096u /* power of two: two full link frames and log events */

static cmsdk_uart_regs *const uart[UART_COUNT] = {
    (cmsdk_uart_regs *)UART0_BASE, (cmsdk_uart_regs *)UART1_BASE, (cmsdk_uart_regs *)UART2_BASE,
    (cmsdk_uart_regs *)UART3_BASE, (cmsdk_uart_regs *)UART4_BASE,
};
static const uint8_t rx_irq[UART_COUNT] = {UART0_RX_IRQ, UART1_RX_IRQ, UART2_RX_IRQ, UART3_RX_IRQ, UART4_RX_IRQ};

static struct {
  uint8_t buf[RX_RING];
  volatile uint16_t head; /* written by the ISR */
  volatile uint16_t tail; /* written by the main loop */
} rx[UART_COUNT];

static uint8_t link_tx[LINK_TX_RING];
static volatile uint16_t tx_head, tx_tail;

/* Moves bytes from the UART into its ring while there is room; ISR and main loop (masked). */
static void rx_pull(int n) {
  cmsdk_uart_regs *u = uart[n];
  while (u->STATE & UART_STATE_RXFULL) {
    uint16_t h = rx[n].head;
    if ((uint16_t)(h - rx[n].tail) >= RX_RING) return;
    rx[n].buf[h & (RX_RING - 1)] = (uint8_t)u->DATA;
    rx[n].head = (uint16_t)(h + 1);
  }
}

static void tx_push(void) {
  cmsdk_uart_regs *u = uart[UART_LINK];
  while (tx_tail != tx_head && !(u->STATE & UART_STATE_TXFULL)) {
    u->DATA = link_tx[tx_tail & (LINK_TX_RING - 1)];
    tx_tail = (uint16_t)(tx_tail + 1);
  }
}

void uart_init_all(uint32_t baud) {
  for (int n = 0; n < UART_COUNT; n++) {
    uart[n]->BAUDDIV = CPU_HZ / baud;
    uart[n]->CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN | UART_CTRL_RXIRQ | (n == UART_LINK ? UART_CTRL_TXIRQ : 0);
    NVIC_ISER0 = 1u << rx_irq[n];
  }
  NVIC_ISER0 = 1u << (UART0_RX_IRQ + 1); /* link TX */
}

int uart_getc(int n) {
  int c = -1;
  uint32_t mask = irq_save();
  if (rx[n].tail == rx[n].head) rx_pull(n);
  if (rx[n].tail != rx[n].head) {
    c = rx[n].buf[rx[n].tail & (RX_RING - 1)];
    rx[n].tail = (uint16_t)(rx[n].tail + 1);
    rx_pull(n); /* the byte the full ring left in the UART, if any */
  }
  irq_restore(mask);
  return c;
}

bool uart_rx_ready(int n) { return rx[n].tail != rx[n].head || (uart[n]->STATE & UART_STATE_RXFULL); }

void uart_putc(int n, uint8_t c) {
  while (uart[n]->STATE & UART_STATE_TXFULL) {
  }
  uart[n]->DATA = c;
}

uint32_t uart_link_write(const uint8_t *p, uint32_t len) {
  perf_pause(); /* how much the UART takes at once depends on the host reading the pty */
  uint32_t room = LINK_TX_RING - (uint16_t)(tx_head - tx_tail);
  uint32_t n = len < room ? len : room;
  for (uint32_t i = 0; i < n; i++) link_tx[(uint16_t)(tx_head + i) & (LINK_TX_RING - 1)] = p[i];
  uint32_t mask = irq_save();
  tx_head = (uint16_t)(tx_head + n);
  tx_push();
  irq_restore(mask);
  perf_resume();
  return n;
}

uint32_t uart_link_tx_pending(void) { return (uint16_t)(tx_head - tx_tail); }

static void rx_isr(int n) {
  uart[n]->INTSTATUS = UART_INT_RX;
  rx_pull(n);
}

void uart0_rx_isr(void) { rx_isr(0); }
void uart1_rx_isr(void) { rx_isr(1); }
void uart2_rx_isr(void) { rx_isr(2); }
void uart3_rx_isr(void) { rx_isr(3); }
void uart4_rx_isr(void) { rx_isr(4); }
void uart0_tx_isr(void) {
  uart[UART_LINK]->INTSTATUS = UART_INT_TX;
  tx_push();
}
