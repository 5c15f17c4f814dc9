// The simulated OpenClaw: exact 2026.7.1 file formats, a live gateway and a static store generator.
export * from "./format.js";
export * from "./scenarios.js";
export { SimulatedGateway, type SimulatedGatewayOptions, type SimEvent, type IntendedSession } from "./gateway.js";
export { SimSession, type SimSessionInfo, type SimSessionSpec } from "./session-runtime.js";
export { generateStore, GENERATED_KINDS, type GenerateOptions, type GeneratedKind, type Manifest, type ManifestEntry } from "./generate.js";
export { Rng } from "./random.js";
export * as simFs from "./writer-fs.js";
