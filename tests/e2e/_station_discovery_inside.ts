// Run by station_discovery_e2e_test.ts inside a network namespace of its own,
// with a veth interface that carries multicast: three senders announce
// themselves, `receiver --all` joins them, and its grid page, in Chromium
// in the same namespace, shows them; then a fourth sender comes and goes,
// its tile with it, the page never reloaded. Prints what it saw as JSON.
import { ToolProcess } from "../_tool.ts";
import { launch, waitUntil, watchErrors } from "../preview/_browser.ts";

const tile = (name: string) => `.tile[data-camera="${name}"]`;
const painted = (name: string) =>
  `(Number(document.querySelector('${tile(name)}')?.dataset.painted) || 0)`;
const tileNames = "[...document.querySelectorAll('.tile')].map((t) => t.dataset.camera)";

/** A test-pattern sender on the veth address, announcing `name`; resolves once it announced. */
async function startSender(name: string, processes: ToolProcess[]): Promise<ToolProcess> {
  const sender = new ToolProcess("sender", [
    ...["--source", "test", "--listen", "10.77.0.1:0", "--name", name],
    ...["--width", "160", "--fps", "10"],
  ]);
  processes.push(sender);
  await sender.waitFor("listening");
  await sender.waitFor("announced");
  return sender;
}

const out: Record<string, unknown> = {};
const processes: ToolProcess[] = [];
let browser: Awaited<ReturnType<typeof launch>> | undefined;
try {
  await Promise.all(["porch", "yard", "gate"].map((name) => startSender(name, processes)));
  const receiver = new ToolProcess("receiver", ["--all", "--http", "127.0.0.1:0"]);
  processes.push(receiver);
  const url = String((await receiver.waitFor("listening")).url);
  browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  const requests: string[] = [];
  page.on("request", (request) => requests.push(new URL(request.url()).pathname));
  await page.goto(url);
  await page.evaluate("window.sameDocument = true");
  await waitUntil(
    page,
    ["porch", "yard", "gate"].map((name) => `${painted(name)} >= 2`).join(" && "),
    15_000,
  );
  out.first = (await page.evaluate<string[]>(tileNames)).sort();

  // A fourth sender comes: its tile comes, on the page as it is.
  const started = Date.now();
  const shed = await startSender("shed", processes);
  // Its frames may make its tile before /stats lists it: live once listed.
  await waitUntil(
    page,
    `${painted("shed")} >= 2 && document.querySelector('${tile("shed")}').dataset.state === 'live'`,
    15_000,
  );
  out.shedMs = Date.now() - started;
  out.withShed = (await page.evaluate<string[]>(tileNames)).sort();
  out.shedState = await page.evaluate(`document.querySelector('${tile("shed")}').dataset.state`);

  // It goes: the receiver drops it, and its tile goes.
  await shed.stop();
  await receiver.waitFor("camera_gone", (event) => event.camera === "shed", 10_000);
  await waitUntil(page, `document.querySelector('${tile("shed")}') === null`, 10_000);
  out.afterShed = (await page.evaluate<string[]>(tileNames)).sort();

  out.sameDocument = await page.evaluate("window.sameDocument === true");
  out.pageLoads = requests.filter((path) => path === "/").length;
  out.gridStreams = requests.filter((path) => path === "/grid.mjpg").length;
  out.errors = errors;
  out.found = receiver.events.filter((e) => e.event === "camera_found").map((e) => e.camera);
  out.gone = receiver.events.filter((e) => e.event === "camera_gone").map((e) => e.camera);
} catch (error) {
  out.error = error instanceof Error ? error.message : String(error);
} finally {
  await browser?.close();
  await Promise.all(processes.map((process) => process.stop()));
}
console.log(JSON.stringify(out));
// Playwright's connection would keep this process alive.
Deno.exit(0);
