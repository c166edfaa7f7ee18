import { withTimeout } from "../../lib/util/with_timeout.ts";
import type { ToolProcess } from "../../tests/_tool.ts";

/** How long a tool gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * Stops a tool with SIGTERM and waits for it to exit; one that is still there
 * after 5 s gets SIGKILL. Resolves with its exit status.
 */
export async function stopTool(running: ToolProcess): Promise<Deno.CommandStatus> {
  const status = await withTimeout(running.stop("SIGTERM"), STOP_GRACE_MS);
  return status ?? await running.stop("SIGKILL");
}
