import { type Tool, ToolProcess } from "../../tests/_tool.ts";
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
  const running = new ToolProcess(tool, args, { [CENSUS_ENV]: censusPath }, [
    `--allow-write=${censusPath}`,
    `--allow-env=${CENSUS_ENV}`,
    `--preload=${CENSUS.pathname}`,
  ]);
  return { running, censusPath };
}
