// ISO 4217 alphabetic codes the plaque turns into the numeric code EMV object 53 carries, so
// `merchant.set` takes "BRL" as well as "986" (the host accepts every code in
// host-tools/src/emv/currency.ts and sends the numeric one; this table serves other hosts).
// The schemes' currencies and the majors: BRL 986 THB 764 SGD 702 VND 704 MYR 458 IDR 360 INR 356 CNY 156 EUR 978 USD 840 GBP 826 JPY 392 HKD 344 PHP 608 KHR 116 LAK 418 AUD 036 CHF 756.
// Packed as c0 << 16 | c1 << 8 | c2 beside the numeric code: 6 bytes an entry.
// Tables and buffers are laid out inside functions: only a board whose code reaches them
// carries their bytes (docs/hal-abi.md, "Per-board static data").
function alphaCodes(): usize {
  return memory.data<u32>([0x42524c, 0x544842, 0x534744, 0x564e44, 0x4d5952, 0x494452, 0x494e52, 0x434e59, 0x455552, 0x555344, 0x474250, 0x4a5059, 0x484b44, 0x504850, 0x4b4852, 0x4c414b, 0x415544, 0x434846]);
}
function numericCodes(): usize {
  return memory.data<u16>([986, 764, 702, 704, 458, 360, 356, 156, 978, 840, 826, 392, 344, 608, 116, 418, 36, 756]);
}
const COUNT: i32 = 18;
function digitsText(): usize {
  return memory.data(3);
}

/** The 3 ASCII digits for the alphabetic code at ptr (3 bytes), or 0 when it is not in the table. */
export function numericCurrency(ptr: usize): usize {
  const key = (<u32>load<u8>(ptr) << 16) | (<u32>load<u8>(ptr + 1) << 8) | <u32>load<u8>(ptr + 2);
  const text = digitsText();
  for (let i = 0; i < COUNT; i++) {
    if (load<u32>(alphaCodes() + <usize>(i << 2)) != key) continue;
    let n = <i32>load<u16>(numericCodes() + <usize>(i << 1));
    for (let d = 2; d >= 0; d--) {
      store<u8>(text + <usize>d, <u8>(0x30 + n % 10));
      n /= 10;
    }
    return text;
  }
  return 0;
}
