/**
 * The coding to answer with, from an Accept-Encoding header (RFC 9110 section 12.5.3): the
 * one of `supported` with the highest q-value, the earlier in `supported` on a tie; `*`
 * stands for every coding not named; q=0 refuses. Undefined when none is acceptable, which
 * means the identity.
 */
export function negotiate<E extends string>(header: string, supported: readonly E[]): E | undefined {
  const weights = new Map<string, number>();
  let other: number | undefined;
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";");
    const coding = name.trim().toLowerCase();
    if (coding === "") continue;
    const weight = qValue(params);
    if (coding === "*") other = weight;
    // RFC 9110 section 8.4.1.3: x-gzip is gzip.
    else weights.set(coding === "x-gzip" ? "gzip" : coding, weight);
  }
  let best: E | undefined;
  let bestWeight = 0;
  for (const coding of supported) {
    const weight = weights.get(coding) ?? other ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

// A malformed q-value counts as 0, refusing the coding rather than guessing at it.
function qValue(params: string[]): number {
  for (const param of params) {
    const [key = "", value = ""] = param.split("=");
    if (key.trim().toLowerCase() !== "q") continue;
    const q = Number(value.trim());
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}
