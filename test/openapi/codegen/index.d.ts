/** The TypeScript declarations openapi-typescript makes of an OpenAPI document, with some of its options. */
export function generateTypes(
  document: Record<string, unknown>,
  options?: { defaultNonNullable?: boolean; exactOptionalPropertyTypes?: boolean; alphabetize?: boolean },
): Promise<string>;
