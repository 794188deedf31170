import type { FastifyInstance } from 'fastify';
import type { DeviceContext } from './device-context.ts';
import { sendJson } from './vendor-error.ts';

/** Where the system API lives on the system port (8888 on a real device). */
export const SYSTEM_API = '/sophon/v2/system';

/** What getsoftwareversion reports: this device is no vendor firmware and says so. */
export const SOFTWARE_VERSION = 'reference-device 0.1.0';

/**
 * The system API (sophon-api.md): getuptime and getsoftwareversion. Neither takes arguments, so the
 * body and its content type are not looked at. `firmware` (device --firmware) simulates a vendor build: both
 * version fields report it, as a real device reports its one build.
 */
export function registerSystemApi(app: FastifyInstance, ctx: DeviceContext, firmware?: string): void {
  app.post(`${SYSTEM_API}/getuptime`, (_request, reply) => {
    const uptimeMs = Math.floor(performance.now() - ctx.bootedAt);
    return sendJson(reply, 200, uptimeAnswer(ctx, uptimeMs));
  });
  app.post(`${SYSTEM_API}/getsoftwareversion`, (_request, reply) =>
    sendJson(reply, 200, {
      nnsdk_version: firmware ?? SOFTWARE_VERSION,
      app_gate_version: firmware ?? SOFTWARE_VERSION,
      app_version_details: `${firmware ?? SOFTWARE_VERSION} (sophon-conformance reference implementation of the device contract)`,
    }),
  );
}

function uptimeAnswer(ctx: DeviceContext, uptimeMs: number): Record<string, unknown> {
  switch (ctx.behaviour.system.uptime) {
    case 'vendor-only':
      return { uptime: formatUptime(uptimeMs) };
    case 'seconds':
      return { uptime: Math.round(uptimeMs / 10) / 100 };
    case 'clock': {
      const minutes = Math.floor(uptimeMs / 60_000);
      const clock = `${Math.floor(minutes / 60) % 24}:${String(minutes % 60).padStart(2, '0')}`;
      return { uptime: `up ${Math.floor(minutes / 1440)} days, ${clock}` };
    }
    case 'vendor-and-ms':
      // uptime_ms is not the vendor's: a precise boot identity for a checker that looks for it.
      return { uptime: formatUptime(uptimeMs), uptime_ms: uptimeMs };
  }
}

/** The vendor's uptime text: "3 hours, 57 minutes" (hours are not folded into days). */
export function formatUptime(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} hours, ${minutes % 60} minutes`;
}
