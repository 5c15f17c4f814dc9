import type { Command } from "commander";
import type { CommandContext } from "./io.js";
import { register as cleanup } from "./cleanup.js";
import { register as demo } from "./demo.js";
import { register as keepalive } from "./keepalive.js";
import { register as serve } from "./serve.js";
import { register as status } from "./status.js";
import { register as watch } from "./watch.js";

/** Each command module exports `register(program, ctx?)` (ctx: the streams and env it runs with, default the process's); adding a command is one line here. */
export const commands: Array<(program: Command, ctx?: CommandContext) => void> = [status, watch, keepalive, cleanup, demo, serve];
