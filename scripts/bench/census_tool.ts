import { type Tool, ToolProcess } from "../../tests/_tool.ts";
import { RECEIVER_PERMISSIONS, SENDER_PERMISSIONS } from "../permissions.ts";
import { CENSUS_ENV } from "./census_line.ts";

const CENSUS = new URL("./census.ts", import.meta.url);

/** A tool with its census file. */
export interface CensusTool {
  /** The running tool. */
  running: ToolProcess;
  /** The file its census appends to. */
  censusPath: string;
}

/**
 * Starts a tool as the tests run it (`--log json`, the permissions it ships
 * with), with the census preloaded: the one extra permission is to write its
 * census file and read the variable naming it.
 */
export function startCensusTool(tool: Tool, args: string[], censusPath: string): CensusTool {
  const running = new ToolProcess(
    tool,
    args,
    { [CENSUS_ENV]: censusPath },
    censusFlags(tool, censusPath),
  );
  return { running, censusPath };
}

/**
 * The `deno run` flags that add the census to a tool's own permissions. Deno
 * adds up `--allow-env` lists, but an `--allow-write=PATH` next to a bare
 * `--allow-write` narrows it to PATH: a tool that may write anywhere (the
 * receiver) is given no write flag, or it could no longer record.
 *
 * @param tool The tool.
 * @param censusPath The file its census appends to.
 * @returns The flags, to go after the tool's own.
 */
export function censusFlags(tool: Tool, censusPath: string): string[] {
  const permissions = tool === "sender" ? SENDER_PERMISSIONS : RECEIVER_PERMISSIONS;
  const write = permissions.includes("--allow-write") ? [] : [`--allow-write=${censusPath}`];
  return [...write, `--allow-env=${CENSUS_ENV}`, `--preload=${CENSUS.pathname}`];
}
