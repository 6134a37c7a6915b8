/* See perf.h. Why a timer can give exact instruction counts: under -icount shift=S each guest
 * instruction advances the virtual clock by exactly 2^S ns, and CMSDK timer 0 counts the
 * 25 MHz clock (40 ns a tick) from that virtual clock. Between two reads of the timer with N
 * instructions in between, the tick difference D satisfies |40 D - 2^S N| < 40 (plus a tick
 * of the timer model's own rounding), so with 2^S >= 256 the rounding of 40 D / 2^S is N,
 * whatever the phase of the clock when the segment started.
 *
 * That only holds while nothing but instructions moves the clock: no sleep (WFI lets the
 * clock jump with real time) and no interrupt handler whose arrival the host's timing
 * decides. So while a counted export call runs, interrupts are masked; the shell pauses the
 * count (and unmasks) around the parts that wait for the outside: chip calls (chip-link.c)
 * and queueing link bytes (cmsdk-uart.c). A count is therefore the MCU's own instructions for
 * the call: the wasm2c-compiled firmware, wasm-rt, hal.c's checks and the shell glue, without
 * the chip drivers and the UART. Each segment is rounded on its own, and the counter's own
 * instructions (calibrated at start) are taken off each segment. While counting, the
 * firmware's clock is this count too (perf_work, clock.c), so no value it is given depends on
 * the host's pace either. */
#include "perf.h"
#include <string.h>
#include "mps2-an386.h"

#define PERF_MAGIC 0x43504b54u /* "TKPC" */
#define TICK_NS 40u           /* one 25 MHz timer tick */
#define MIN_SHIFT 8u          /* 2^S >= 256: the rounding is exact (see above) */
#define MAX_SHIFT 10u         /* QEMU's limit */

/* Read by the host over QMP (its address from the ELF's symbol table). Never reset: the
 * host takes differences. */
struct tk_perf {
  uint32_t magic;
  uint32_t shift;    /* 0: not counting */
  uint32_t overhead; /* instructions taken off every segment */
  uint32_t segments; /* segments counted since reset */
  uint32_t busy;     /* 1 while a counted call runs: the host waits for 0 before reading */
  uint32_t reserved;
  uint64_t total[PERF_EXPORTS];
  uint32_t calls[PERF_EXPORTS];
  uint32_t last[PERF_EXPORTS]; /* the latest call's count */
} tk_perf __attribute__((used));

static uint32_t shift;
static uint32_t seg_start; /* timer value at the start of the current segment */
static uint32_t call_count;
static enum perf_export current; /* the export of the call running */
static uint64_t work;            /* counted instructions of the ended calls but tk_tick's */
static uint32_t paused; /* pause depth; a call is counted only at depth 0 */
static uint32_t saved_mask;
static int in_call;

static inline uint32_t timer_now(void) { return TIMER0_VALUE; }

/* Instructions between the two timer reads of one segment (the timer counts down). */
static uint32_t segment(uint32_t start, uint32_t end) {
  uint64_t ns = (uint64_t)(uint32_t)(start - end) * TICK_NS;
  uint32_t n = (uint32_t)((ns + (1ull << (shift - 1))) >> shift);
  tk_perf.segments++;
  return n > tk_perf.overhead ? n - tk_perf.overhead : 0;
}

int perf_counting(void) { return shift != 0; }

void perf_init(const char *cmdline) {
  memset(&tk_perf, 0, sizeof tk_perf);
  tk_perf.magic = PERF_MAGIC;
  const char *p = cmdline;
  for (; *p; p++)
    if (strncmp(p, "count=", 6) == 0 && (p == cmdline || p[-1] == ' ')) break;
  if (!*p) return;
  uint32_t s = 0;
  for (p += 6; *p >= '0' && *p <= '9'; p++) s = s * 10 + (uint32_t)(*p - '0');
  if (s < MIN_SHIFT || s > MAX_SHIFT) return;
  TIMER0_CTRL = 0;
  TIMER0_RELOAD = 0xffffffffu; /* free-running: wraps after 171 s, differences stay right */
  TIMER0_VALUE = 0xffffffffu;
  TIMER0_CTRL = TIMER_CTRL_EN;
  shift = s;
  tk_perf.shift = s;
  /* The counter's own cost per segment: the tail of a resume (after its timer read) and
   * the head of a pause (up to its read), measured back to back as an empty segment. */
  saved_mask = irq_save();
  in_call = 1;
  paused = 1;
  call_count = 0;
  perf_resume();
  perf_pause();
  in_call = 0;
  tk_perf.overhead = call_count;
  tk_perf.segments = 0;
}

/* Processor cycles since counting started: the timer, extended past its 32 bits. The clock
 * uses it while counting, since SysTick's interrupt waits behind the masked calls. */
uint64_t perf_cycles(void) {
  static uint32_t last, high;
  uint32_t mask = irq_save();
  uint32_t v = ~timer_now();
  if (v < last) high++;
  last = v;
  irq_restore(mask);
  return ((uint64_t)high << 32) | v;
}

void perf_call_begin(enum perf_export which) {
  if (!shift) return;
  saved_mask = irq_save();
  current = which;
  in_call = 1;
  tk_perf.busy = 1;
  paused = 0;
  call_count = 0;
  seg_start = timer_now();
}

void perf_call_end(void) {
  if (!shift) return;
  uint32_t now = timer_now();
  if (!paused) call_count += segment(seg_start, now);
  in_call = 0;
  tk_perf.calls[current]++;
  tk_perf.last[current] = call_count;
  tk_perf.total[current] += call_count;
  if (current != PERF_TICK) work += call_count;
  tk_perf.busy = 0;
  irq_restore(saved_mask);
}

void perf_pause(void) {
  if (!shift || !in_call) return;
  if (paused++ == 0) {
    call_count += segment(seg_start, timer_now());
    irq_restore(saved_mask);
  }
}

void perf_resume(void) {
  if (!shift || !in_call) return;
  if (--paused == 0) {
    irq_save();
    seg_start = timer_now();
  }
}

/* tk_tick runs every TICK_MS of the host's time, so how many of them ran is the host's pace:
 * their instructions are left out, and the value depends only on the script's calls. */
uint64_t perf_work(void) {
  perf_pause(); /* ends the current segment: the value holds the call's work up to here */
  uint64_t n = work + (in_call && current != PERF_TICK ? call_count : 0);
  perf_resume();
  return n;
}
