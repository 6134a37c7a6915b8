// The mailbox (HAL ABI tk_io_buffer): the one buffer the shell writes UART bytes, APDUs and
// Type 2 commands into, and reads NFC responses from. Fixed address, board-sized.
import { IO_CAPACITY } from "./board";

const MAILBOX = memory.data(IO_CAPACITY, 16);

export function mailbox(): usize {
  return MAILBOX;
}

export function mailboxCapacity(): i32 {
  return IO_CAPACITY;
}
