export { deriveHeartbeat, judgeSession, type SessionFacts, type SessionVerdict } from "./deriveHeartbeat.js";
