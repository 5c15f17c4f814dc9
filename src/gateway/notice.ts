// What the first connection to a gateway tells the operator (stderr): connecting makes OpenClaw
// write a pairing record, so say what was paired, where both sides keep it, and how to undo it.
import path from "node:path";

export interface PairingNotice {
  gatewayLabel: string;
  protocol: number;
  deviceId: string;
  identityPath: string;
  openclawStateDir: string;
}

export function pairingNotice(n: PairingNotice): string[] {
  return [
    `openclaw-sessions: connected to the ${n.gatewayLabel} as a read-only operator (scope operator.read, protocol ${n.protocol}); OpenClaw paired this tool's own device ${n.deviceId.slice(0, 16)}…`,
    `  our key and deviceToken: ${n.identityPath} (mode 0600; never inside ${n.openclawStateDir})`,
    `  OpenClaw's record: 2026.9.6+ a row in ${path.join(n.openclawStateDir, "state", "openclaw.sqlite")} (table device_pairing_paired); 2026.7.1 ${path.join(n.openclawStateDir, "devices", "paired.json")}`,
    `  to remove it: openclaw devices remove ${n.deviceId}   (then delete ${n.identityPath}); see: openclaw devices list`,
  ];
}
