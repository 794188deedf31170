import type { FastifyInstance } from 'fastify';
import type { DeviceContext } from './device-context.ts';
import { sendJson } from './vendor-error.ts';

/** Where the system API lives on the system port (8888 on a real device). */
export const SYSTEM_API = '/sophon/v2/system';

/** What getsoftwareversion reports: this device is no vendor firmware and says so. */
export const SOFTWARE_VERSION = 'reference-device 0.1.0';

/**
 * The system API (sophon-api.md): getuptime and getsoftwareversion. Neither takes arguments, so the
 * body and its content type are not looked at.
 */
export function registerSystemApi(app: FastifyInstance, ctx: DeviceContext): void {
  app.post(`${SYSTEM_API}/getuptime`, (_request, reply) => {
    const uptimeMs = Math.floor(performance.now() - ctx.bootedAt);
    // uptime_ms is not the vendor's: a precise boot identity for a checker that looks for it.
    return sendJson(reply, 200, { uptime: formatUptime(uptimeMs), uptime_ms: uptimeMs });
  });
  app.post(`${SYSTEM_API}/getsoftwareversion`, (_request, reply) =>
    sendJson(reply, 200, {
      nnsdk_version: SOFTWARE_VERSION,
      app_gate_version: SOFTWARE_VERSION,
      app_version_details: `${SOFTWARE_VERSION} (sophon-conformance reference implementation of the device contract)`,
    }),
  );
}

/** The vendor's uptime text: "3 hours, 57 minutes" (hours are not folded into days). */
export function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} hours, ${minutes % 60} minutes`;
}
