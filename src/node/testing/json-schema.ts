/**
 * A checker for the small subset of JSON Schema the OpenAPI document uses (type, required, properties,
 * items, enum, pattern, minimum, maximum, $ref into components): enough to hold real responses to the
 * document in tests without another dependency. Returns the first problem, or undefined.
 */
type Schema = Record<string, unknown>;

export function checkSchema(
  value: unknown,
  schema: Schema,
  components: Record<string, Schema>,
  path = "$",
): string | undefined {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = components[name];
    if (target === undefined) return `${path}: unknown $ref ${schema.$ref}`;
    return checkSchema(value, target, components, path);
  }
  const type = schema.type as string | undefined;
  if (type !== undefined) {
    const ok =
      type === "integer"
        ? Number.isInteger(value)
        : type === "number"
          ? typeof value === "number"
          : type === "array"
            ? Array.isArray(value)
            : type === "object"
              ? typeof value === "object" && value !== null && !Array.isArray(value)
              : typeof value === type;
    if (!ok) return `${path}: expected ${type}, got ${JSON.stringify(value)?.slice(0, 60)}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    return `${path}: ${String(value)} is not in the enum`;
  if (
    typeof schema.pattern === "string" &&
    typeof value === "string" &&
    !new RegExp(schema.pattern).test(value)
  ) {
    return `${path}: ${value} does not match ${schema.pattern}`;
  }
  if (typeof schema.minimum === "number" && typeof value === "number" && value < schema.minimum) {
    return `${path}: ${value} < ${schema.minimum}`;
  }
  if (typeof schema.maximum === "number" && typeof value === "number" && value > schema.maximum) {
    return `${path}: ${value} > ${schema.maximum}`;
  }
  if (type === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in obj)) return `${path}: missing required ${key}`;
    }
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) {
      if (key in obj) {
        const bad = checkSchema(obj[key], sub, components, `${path}.${key}`);
        if (bad !== undefined) return bad;
      }
    }
  }
  if (type === "array" && schema.items !== undefined) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const bad = checkSchema(items[i], schema.items as Schema, components, `${path}[${i}]`);
      if (bad !== undefined) return bad;
    }
  }
  return undefined;
}
