export { deriveHeartbeat, judgeSession, pastRunTimeoutReason, type SessionFacts, type SessionVerdict } from "./deriveHeartbeat.js";
