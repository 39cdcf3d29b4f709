import { z } from "zod";
import { isAccountId } from "../core/keys.js";
import { MAX_CHAIN_ID_CHARS, MAX_ID_CHARS, MAX_NAME_CHARS } from "./limits.js";

/** Field schemas shared by the envelope, the modules and genesis. One schema is both the check and the type. */

/** An account id ("pg1" + 40 hex). Output is a plain string: callers brand it where it matters. */
export const accountIdSchema = z
  .string()
  .refine(isAccountId, { message: 'expected an account id ("pg1" and 40 lowercase hex digits)' });

export const hex32Schema = z.string().regex(/^[0-9a-f]{64}$/, "expected 32 bytes as 64 lowercase hex digits");
export const hex64Schema = z
  .string()
  .regex(/^[0-9a-f]{128}$/, "expected 64 bytes as 128 lowercase hex digits");

export const chainIdSchema = z
  .string()
  .max(MAX_CHAIN_ID_CHARS)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "expected lowercase letters, digits, '.', '_' or '-'");

/** Ids of DERs and microgrids: they are parts of state keys, so no "/" (and nothing to escape). */
export const idSchema = z
  .string()
  .max(MAX_ID_CHARS)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "expected letters, digits, '.', '_', ':' or '-'");

export const nameSchema = z.string().max(MAX_NAME_CHARS);

/** Safe integers (|x| <= 2^53 - 1): the only numbers the protocol computes with. */
export const intSchema = z.int();
export const nonNegativeIntSchema = z.int().nonnegative();
export const positiveIntSchema = z.int().positive();

/**
 * A list of integers in [min, max] with between minLength and maxLength entries, checked by one loop: a day of
 * intents or readings is hundreds of numbers, and a schema object per number costs more than the transaction's
 * own work. Messages name the first bad entry.
 */
export function intListSchema(min: number, max: number, minLength: number, maxLength: number) {
  // `continue: false`: refinements of the enclosing object then never see a value that is not such a list.
  return z.custom<number[]>().superRefine((value, ctx) => {
    const fail = (message: string, path: number[] = []) =>
      ctx.addIssue({ code: "custom", message, path, continue: false });
    if (!Array.isArray(value)) return fail("expected an array of integers");
    if (value.length < minLength || value.length > maxLength) {
      return fail(`expected ${minLength} to ${maxLength} entries, got ${value.length}`);
    }
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (!Number.isSafeInteger(x) || x < min || x > max) {
        return fail(`entry ${i}: expected an integer in [${min}, ${max}]`, [i]);
      }
    }
  });
}

/** Protocol time: integer ms since the Unix epoch. */
export const timeMsSchema = z.int().nonnegative();

/** External bus number as in a MATPOWER case (BUS_I): a positive integer. */
export const busIdSchema = z.int().positive().max(2_147_483_647);

/** "field.path: what is wrong" for the first problem zod found, so a message names the field. */
export function describeIssue(prefix: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p.length > 0).join(".");
  return `${path || "value"}: ${issue.message}`;
}

/** True when the array has no repeated element. */
export function distinct<T>(items: readonly T[]): boolean {
  return new Set(items).size === items.length;
}
