/* The parts of QEMU's mps2-an386 (Arm AN386: Cortex-M4 on the MPS2 FPGA board) this shell
 * touches: CMSDK APB UARTs, CMSDK timer 0 (instruction counts), SysTick, NVIC and the reset
 * register. Addresses and interrupt
 * numbers are QEMU's hw/arm/mps2.c (they follow AN386); a port to another part replaces this
 * file and cmsdk-uart.c. */
#ifndef TK_MPS2_AN386_H
#define TK_MPS2_AN386_H

#include <stdint.h>

/* SYSCLK of the FPGA image: CPU, SysTick (processor clock) and APB UARTs. */
#define CPU_HZ 25000000u

typedef struct {
  volatile uint32_t DATA;      /* write: transmit; read: received byte */
  volatile uint32_t STATE;     /* bit 0 TX buffer full, bit 1 RX buffer full */
  volatile uint32_t CTRL;      /* bit 0 TX enable, 1 RX enable, 2 TX irq, 3 RX irq */
  volatile uint32_t INTSTATUS; /* read: pending irqs; write 1 to clear */
  volatile uint32_t BAUDDIV;   /* >= 16 */
} cmsdk_uart_regs;

#define UART_STATE_TXFULL 1u
#define UART_STATE_RXFULL 2u
#define UART_CTRL_TXEN 1u
#define UART_CTRL_RXEN 2u
#define UART_CTRL_TXIRQ 4u
#define UART_CTRL_RXIRQ 8u
#define UART_INT_TX 1u
#define UART_INT_RX 2u

#define UART_COUNT 5
#define UART0_BASE 0x40004000u
#define UART1_BASE 0x40005000u
#define UART2_BASE 0x40006000u
#define UART3_BASE 0x40007000u
#define UART4_BASE 0x40009000u
/* RX interrupt of each UART; its TX interrupt is the next number. */
#define UART0_RX_IRQ 0
#define UART1_RX_IRQ 2
#define UART2_RX_IRQ 4
#define UART3_RX_IRQ 18
#define UART4_RX_IRQ 20

/* CMSDK APB timer 0: a 32-bit down-counter on SYSCLK, used only to count instructions (perf.c). */
#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)
#define TIMER_CTRL_EN 1u

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define AIRCR_SYSRESETREQ 0x05FA0004u

/* Mask interrupts and return the previous mask, so critical sections nest. */
static inline uint32_t irq_save(void) {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}
static inline void irq_restore(uint32_t primask) { __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory"); }
/* Sleep until an interrupt is pending; wakes even with interrupts masked (PRIMASK). */
static inline void cpu_wait(void) { __asm__ volatile("dsb\n wfi" ::: "memory"); }

#endif
