export { deriveHeartbeat } from "./deriveHeartbeat.js";
