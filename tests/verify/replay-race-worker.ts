// A verifier in its own process for the replay race test: on each message it waits until the
// given wall-clock instant (busy-wait, so two workers start within microseconds of each other),
// then verifies the URL the way `tapkit verify tap` does (a fresh ReplayStore on the file per
// verification) and reports accepted or the error code.
import { ReplayStore, verifyTapUrl, type TagKeys } from "../../host-tools/src/verify/index.ts";
import { TapkitError } from "../../host-tools/src/errors/index.ts";

interface Job {
  url: string;
  keys: TagKeys[];
  replayPath: string;
  at: number;
}

process.on("message", (job: Job) => {
  while (Date.now() < job.at) {
    // spin
  }
  try {
    const v = verifyTapUrl(job.url, job.keys, new ReplayStore(job.replayPath));
    process.send!({ accepted: true, counter: v.counter });
  } catch (e) {
    process.send!({ accepted: false, code: e instanceof TapkitError ? e.code : String(e) });
  }
});
process.send!({ ready: true });
