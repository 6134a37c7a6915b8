/* Reset and exceptions: the vector table, C runtime set-up (copy .data, zero .bss, paint
 * the stack so its high-water mark can be read later), fault reports, and the reboot path
 * with a crash counter that survives the reset (.noinit), so a firmware that crashes
 * during every boot is halted instead of rebooted forever (as the simulator does). */
#include <string.h>
#include "console.h"
#include "mps2-an386.h"
#include "shell.h"

#define STACK_PAINT 0x5afe57acu
#define PERSIST_MAGIC 0x7a9c0001u

extern uint32_t __stack_bottom, __stack_top, __data_start, __data_end, __data_load, __bss_start, __bss_end;
extern int main(void);
extern void systick_isr(void), uart0_rx_isr(void), uart0_tx_isr(void), uart1_rx_isr(void), uart2_rx_isr(void),
    uart3_rx_isr(void), uart4_rx_isr(void);

struct persist persist __attribute__((section(".noinit")));

void Reset_Handler(void);
void Fault_Handler(void);
static void Unused_Handler(void) { shell_fatal("unexpected interrupt", 0, 0); }

__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))&__stack_top,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Unused_Handler, /* SVCall */
    Unused_Handler, /* DebugMonitor */
    0,
    Unused_Handler, /* PendSV */
    systick_isr,
    [16 + UART0_RX_IRQ] = uart0_rx_isr,
    [16 + UART0_RX_IRQ + 1] = uart0_tx_isr,
    [16 + UART1_RX_IRQ] = uart1_rx_isr,
    [16 + UART2_RX_IRQ] = uart2_rx_isr,
    [16 + UART3_RX_IRQ] = uart3_rx_isr,
    [16 + UART4_RX_IRQ] = uart4_rx_isr,
};

void Reset_Handler(void) {
  memcpy(&__data_start, &__data_load, (size_t)((char *)&__data_end - (char *)&__data_start));
  memset(&__bss_start, 0, (size_t)((char *)&__bss_end - (char *)&__bss_start));
  uint32_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *p = &__stack_bottom; p < sp - 16; p++) *p = STACK_PAINT;
  if (persist.magic != PERSIST_MAGIC) memset(&persist, 0, sizeof persist), persist.magic = PERSIST_MAGIC;
  persist.boots++;
  main();
  for (;;) cpu_wait();
}

__attribute__((noreturn)) static void reboot(void) {
  SCB_AIRCR = AIRCR_SYSRESETREQ;
  for (;;) cpu_wait();
}

void shell_fatal(const char *what, const uint8_t *detail, uint32_t len) {
  irq_save();
  persist.crashes_in_a_row++;
  console_begin();
  console_str("[tapkit] ");
  console_str(what);
  if (detail && len) {
    console_str(": ");
    console_bytes(detail, len);
  }
  console_str(" (rebooting)");
  console_end();
  reboot();
}

void shell_reset(uint32_t reason) {
  console_begin();
  console_str("[tapkit] reset requested by the firmware (reason ");
  console_u32(reason);
  console_str(")");
  console_end();
  reboot();
}

/* Stacked PC and the fault status, then the crash path. */
__attribute__((used)) void fault_report(uint32_t *frame) {
  console_begin();
  console_str("[tapkit] fault at pc ");
  console_hex(frame[6]);
  console_str(", cfsr ");
  console_hex(SCB_CFSR);
  console_end();
  shell_fatal("hard fault", 0, 0);
}

__attribute__((naked)) void Fault_Handler(void) {
  __asm__ volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "b fault_report\n");
}
