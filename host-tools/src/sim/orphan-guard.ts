// A watchdog that outlives us: a small detached shell reading our registrations on a pipe.
// The helpers we start (QEMU, socat) and the files they need (pty links, socket dirs) are
// registered here while they exist; if this Node process goes away without removing them
// (SIGKILL, a crash, the OOM killer), the pipe reaches EOF and the guard stops what is still
// registered (SIGTERM, then SIGKILL after 2 s) and removes the paths. Signal handlers cannot
// cover those deaths, and Node cannot set PR_SET_PDEATHSIG on its children. The guard runs in
// its own session, so a hang-up of our terminal's process group does not take it along.
import { spawn, type ChildProcess } from "node:child_process";

// POSIX sh (dash): one registration per line, "+pid N", "-pid N", "+path K P", "-path K P",
// K being L (a symlink: removed only while it is one) or D (a directory we made: removed whole).
const GUARD_SCRIPT = `
trap '' HUP INT TERM
# a zombie (exited, not yet reaped by init) counts as gone
any_alive() {
  for p in $pids; do
    state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -c1)
    [ -n "$state" ] && [ "$state" != Z ] && return 0
  done
  return 1
}
pids=''
paths=''
while IFS= read -r line; do
  arg=\${line#* }
  case $line in
    "+pid "*) pids="$pids $arg" ;;
    "-pid "*) kept=''; for p in $pids; do [ "$p" = "$arg" ] || kept="$kept $p"; done; pids=$kept ;;
    "+path "*) paths="$paths$arg
" ;;
    "-path "*) kept=''
      while IFS= read -r p; do [ -z "$p" ] || [ "$p" = "$arg" ] || kept="$kept$p
"; done <<EOF
$paths
EOF
      paths=$kept ;;
  esac
done
if [ -n "$pids" ]; then
  kill -TERM $pids 2>/dev/null
  i=0
  while [ $i -lt 20 ] && any_alive; do sleep 0.1; i=$((i + 1)); done
  kill -KILL $pids 2>/dev/null
fi
printf '%s' "$paths" | while IFS= read -r p; do
  f=\${p#? }
  case $p in
    "L "*) [ ! -L "$f" ] || rm -f -- "$f" ;;
    "D "*) rm -rf -- "$f" ;;
  esac
done
`;

let guard: ChildProcess | null = null;
let broken = false;

function send(line: string): void {
  if (broken || /[\r\n]/.test(line)) return;
  if (!guard) {
    guard = spawn("sh", ["-c", GUARD_SCRIPT], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    // Best effort: without sh the signal handlers still clean up; only a hard kill would not.
    guard.on("error", () => (broken = true));
    guard.stdin!.on("error", () => (broken = true));
    guard.on("exit", () => {
      guard = null;
      broken = true;
    });
    // Neither the guard nor its pipe may keep us running.
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void }).unref?.();
  }
  guard.stdin!.write(`${line}\n`);
}

/** Stop `pid` if this process dies before calling forgetProcess(pid). */
export function guardProcess(pid: number | undefined): void {
  if (pid) send(`+pid ${pid}`);
}

export function forgetProcess(pid: number | undefined): void {
  if (pid) send(`-pid ${pid}`);
}

/**
 * Remove `path` if this process dies before forgetPath(path, kind): a "link" only while it is
 * a symlink (never a file that took its place), a "dir" (one we created) with what it holds.
 */
export function guardPath(path: string, kind: "link" | "dir"): void {
  send(`+path ${kind === "link" ? "L" : "D"} ${path}`);
}

export function forgetPath(path: string, kind: "link" | "dir"): void {
  send(`-path ${kind === "link" ? "L" : "D"} ${path}`);
}
