/**
 * Every process under `pid`: the children of any of its threads, their
 * children and so on, from `/proc/PID/task/TID/children`; none if `pid` is
 * gone. Linux only.
 */
export async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const tasks: number[] = [];
  try {
    for await (const entry of Deno.readDir(`/proc/${pid}/task`)) tasks.push(Number(entry.name));
  } catch {
    return found;
  }
  for (const task of tasks) {
    const text = await Deno.readTextFile(`/proc/${pid}/task/${task}/children`).catch(() => "");
    for (const child of text.trim().split(/\s+/).filter(Boolean).map(Number)) {
      found.push(child, ...(await descendants(child)));
    }
  }
  return found;
}
