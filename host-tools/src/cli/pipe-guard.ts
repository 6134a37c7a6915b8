// When the reader of our output goes away (`tapkit wallet status | head -1`), further writes
// fail with EPIPE. That is the reader's choice, not an error of ours: stop quietly, exit 0,
// instead of printing Node's unhandled 'error' event stack trace.

type Stream = Pick<NodeJS.WriteStream, "on">;

export function exitQuietlyOnBrokenPipe(streams: Stream[] = [process.stdout, process.stderr], exit: (code: number) => void = process.exit): void {
  for (const s of streams) {
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") exit(0);
      else throw e;
    });
  }
}
