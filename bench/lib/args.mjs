// Command-line numbers shared by the bench scripts.

/** `opt[name]` as a positive integer, or a one-line error naming the flag. */
export function positiveInt(opt, name) {
  const v = Number(opt[name]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, got "${opt[name]}"`);
  return v;
}
