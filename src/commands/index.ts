import type { Command } from "commander";
import { register as status } from "./status.js";

/** Each command module exports `register(program)`; adding a command is one line here. */
export const commands: Array<(program: Command) => void> = [status];
