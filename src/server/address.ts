import type { AddressInfo } from "node:net";

/**
 * The URL a listening address is reached at: `http://127.0.0.1:8000`, `http://[::1]:8000`.
 * A worker's "listening" event reports the family as `addressType` (4, 6 or "IPv6") rather
 * than `family`, so both are read.
 */
export function urlOf(address: AddressInfo & { addressType?: number | string }, scheme: "http" | "https" = "http"): string {
  // A unix socket: a worker's "listening" event reports its path, with addressType -1.
  if (address.addressType === -1) return `unix:${address.address}`;
  const v6 = address.family === "IPv6" || address.addressType === 6 || address.addressType === "IPv6" || address.address?.includes(":");
  return `${scheme}://${v6 ? `[${address.address}]` : address.address}:${address.port}`;
}
