// The `ndef` package (our outside NDEF oracle) ships no types. Its records are loose JS
// objects (value only on well-known types), so the tests read them as such.
declare module "ndef" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ndef: any;
  export default ndef;
}
