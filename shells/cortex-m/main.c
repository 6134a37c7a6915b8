/* The board shell's main loop: greets the peripheral chips, boots the firmware (ABI check,
 * tk_init with the DEMO flag when the host asks for the demo set-up), then forever: UART0
 * bytes into the mailbox (tk_link_rx), NFC front-end events into tk_nfc_field/apdu/t2t,
 * tk_tick every TICK_MS, and sleep (WFI) until an interrupt when there is nothing to do.
 * One export call at a time, never re-entrant. */
#include <string.h>
#include "chip-link.h"
#include "clock.h"
#include "cmsdk-uart.h"
#include "console.h"
#include "mps2-an386.h"
#include "perf.h"
#include "shell.h"

#define ABI_VERSION 1u
#define INIT_FLAG_DEMO 1u
#define MIN_IO_CAPACITY 512u
#define TICK_MS 20u
#define INIT_RETRY_MS 1000u
/* Crashes in a row without a successful tk_init before the shell stops rebooting. */
#define MAX_CRASH_LOOP 8u
/* NFC events handled per loop pass, so a chatty reader cannot starve the link. */
#define NFC_EVENTS_PER_PASS 8

extern struct Z_hal_instance_t hal_instance;
Z_fw_instance_t fw;
static uint8_t *mailbox;
static uint32_t mailbox_cap;
static bool field_on;

wasm_rt_memory_t *fw_memory(void) { return Z_fwZ_memory(&fw); }

static void say(const char *text, uint32_t n) {
  console_begin();
  console_str("[tapkit] ");
  console_str(text);
  if (n != UINT32_MAX) console_u32(n);
  console_end();
}

__attribute__((noreturn)) static void halt(const char *why) {
  say(why, UINT32_MAX);
  say("halted", UINT32_MAX);
  irq_save();
  for (;;) cpu_wait();
}

static bool demo_requested(void) {
  const char *cmd = console_cmdline();
  for (const char *p = cmd; *p; p++)
    if (strncmp(p, "demo", 4) == 0 && (p == cmd || p[-1] == ' ') && (p[4] == 0 || p[4] == ' ')) return true;
  return false;
}

static void wait_ms(uint32_t ms) {
  uint64_t until = clock_now_ms() + ms;
  while (clock_now_ms() < until) cpu_wait();
}

static void boot_firmware(uint32_t flags) {
  static bool module_ready;
  if (!module_ready) {
    wasm_rt_init();
    Z_fw_init_module();
    module_ready = true;
  }
  for (;;) {
    uint64_t t0 = clock_cycles();
    perf_call_begin(PERF_INSTANTIATE);
    Z_fw_instantiate(&fw, &hal_instance);
    perf_call_end();
    uint64_t t1 = clock_cycles(), waited = chip_wait_cycles;
    uint32_t abi = Z_fwZ_tk_abi_version(&fw);
    if (abi != ABI_VERSION) halt("the firmware speaks another HAL ABI version than 1");
    perf_call_begin(PERF_INIT);
    int32_t rc = (int32_t)Z_fwZ_tk_init(&fw, flags);
    perf_call_end();
    if (rc >= 0) {
      uint32_t io = Z_fwZ_tk_io_buffer(&fw);
      mailbox_cap = Z_fwZ_tk_io_capacity(&fw);
      if (mailbox_cap < MIN_IO_CAPACITY || (uint64_t)io + mailbox_cap > fw_memory()->size)
        halt("the firmware's mailbox is under 512 bytes or outside its memory");
      mailbox = fw_memory()->data + io;
      persist.crashes_in_a_row = 0;
      uint64_t t2 = clock_cycles();
      console_begin();
      console_str("[tapkit] firmware ready: instantiate ");
      console_u32((uint32_t)(t1 - t0));
      console_str(" cycles, tk_init ");
      console_u32((uint32_t)(t2 - t1 - (chip_wait_cycles - waited)));
      console_str(" cycles + ");
      console_u32((uint32_t)(chip_wait_cycles - waited));
      console_str(" waiting for chips, ");
      console_u32((uint32_t)(clock_now_ms()));
      console_str(" ms since reset");
      console_end();
      return;
    }
    say("tk_init failed, retrying in 1000 ms; code -", (uint32_t)-rc);
    Z_fw_free(&fw);
    wait_ms(INIT_RETRY_MS);
  }
}

/* Any split of the link bytes is fine for the firmware, but the count of a request must not
 * depend on how the pty happened to split it: while counting, bytes are held in the mailbox
 * until a frame's delimiter (00) or a full mailbox, and handed over in one call. */
static void link_service(void) {
  static uint32_t held;
  uint32_t n = held;
  int c = -1;
  bool any_split = !perf_counting();
  while (n < mailbox_cap && (c = uart_getc(UART_LINK)) >= 0) {
    mailbox[n++] = (uint8_t)c;
    if (c == 0 && !any_split) break;
  }
  if (!n || (!any_split && c != 0 && n < mailbox_cap)) {
    held = n;
    return;
  }
  held = 0;
  perf_call_begin(PERF_LINK_RX);
  Z_fwZ_tk_link_rx(&fw, n);
  perf_call_end();
}

static void set_field(bool on) {
  if (field_on == on) return;
  field_on = on;
  perf_call_begin(PERF_NFC_FIELD);
  Z_fwZ_tk_nfc_field(&fw, on);
  perf_call_end();
}

/* One tag command from the front-end: the response goes back with ANSWER. A response length
 * outside min..capacity is answered empty, which the front-end reports as a failed exchange. */
static void nfc_exchange(uint32_t event, uint32_t len) {
  set_field(true);
  uint32_t min = event == NFC_EVENT_APDU ? 2 : 1;
  perf_call_begin(event == NFC_EVENT_APDU ? PERF_NFC_APDU : PERF_NFC_T2T);
  uint32_t r = event == NFC_EVENT_APDU ? Z_fwZ_tk_nfc_apdu(&fw, len) : Z_fwZ_tk_nfc_t2t(&fw, len);
  perf_call_end();
  if (r < min || r > mailbox_cap) r = 0;
  const chip_arg answer[] = {ARG_IN(mailbox, r)};
  chip_call(&chip_nfc, OP_NFC_ANSWER, answer, 1, NULL);
}

static bool nfc_service(void) {
  if (!chip_nfc_attention()) return false;
  for (int i = 0; i < NFC_EVENTS_PER_PASS; i++) {
    uint32_t len = 0;
    const chip_arg poll[] = {ARG_OUT(mailbox, mailbox_cap)};
    int32_t event = chip_call(&chip_nfc, OP_NFC_POLL, poll, 1, &len);
    if (event <= NFC_EVENT_NONE) return false;
    if (event == NFC_EVENT_FIELD_OFF) set_field(false);
    else if (event == NFC_EVENT_FIELD_ON) set_field(true);
    else if (event == NFC_EVENT_APDU || event == NFC_EVENT_T2T) nfc_exchange((uint32_t)event, len);
  }
  return true; /* more may be waiting: poll again on the next pass */
}

int main(void) {
  clock_init();
  uart_init_all(115200);
  console_begin();
  console_str("[tapkit] " SHELL_NAME " on " TK_BOARD_NAME ", boot ");
  console_u32(persist.boots);
  console_end();
  if (persist.crashes_in_a_row > MAX_CRASH_LOOP) halt("the firmware crashed during every boot");
  chip_hello(&chip_se);
  chip_hello(&chip_nor);
  chip_hello(&chip_nfc);
  if (TK_HAS_DISPLAY) chip_hello(&chip_epd);
  field_on = false;
  perf_init(console_cmdline());
  boot_firmware(demo_requested() ? INIT_FLAG_DEMO : 0);

  uint64_t next_tick = clock_now_ms();
  for (;;) {
    link_service();
    bool more_nfc = nfc_service();
    uint64_t now = clock_now_ms();
    if (now >= next_tick) {
      uint64_t firmware_now = clock_firmware_ms();
      perf_call_begin(PERF_TICK);
      Z_fwZ_tk_tick(&fw, firmware_now);
      perf_call_end();
      next_tick = now + TICK_MS;
    }
    uint32_t mask = irq_save();
    if (!more_nfc && !uart_rx_ready(UART_LINK) && !uart_rx_ready(UART_NFC) && clock_now_ms() < next_tick) cpu_wait();
    irq_restore(mask);
  }
}
