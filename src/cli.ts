import { processIo } from "./commands/io.js";
import { runProgram } from "./program.js";
import { guardStdio } from "./ui/closed-pipe.js";
import { keepYoungGenerationSmall } from "./store/heap.js";

async function main(): Promise<void> {
  guardStdio();
  keepYoungGenerationSmall();
  process.exitCode = await runProgram(process.argv.slice(2), processIo());
}

await main();
