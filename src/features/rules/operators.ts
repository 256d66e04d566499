import { RE2JS } from "re2js";
import type { RuleOperator, Scalar } from "../../db/schema/rules";

/**
 * Dossier's operators. A fact without a value (missing or null) satisfies none of them, whatever the operator,
 * except `exists: false`. Comparisons are strict: no type coercion ("1" is not 1).
 */

export const MAX_PATTERN_LENGTH = 256;
/** Longer strings never match a pattern (RE2 is linear in the input, but the input is bounded too). */
export const MAX_MATCHED_LENGTH = 10_000;

const present = (v: unknown) => v !== undefined && v !== null;
const isScalar = (v: unknown): v is string | number | boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function ordered(a: unknown, b: unknown): [number, number] | [string, string] | null {
  if (typeof a === "number" && typeof b === "number" && Number.isFinite(a)) return [a, b];
  if (typeof a === "string" && typeof b === "string") return [a, b];
  return null;
}

function compare(a: unknown, b: unknown, holds: (order: number) => boolean): boolean {
  const pair = ordered(a, b);
  if (!pair) return false;
  const [x, y] = pair;
  return holds(x < y ? -1 : x > y ? 1 : 0);
}

const compiled = new Map<string, RE2JS>();

/**
 * A pattern compiled by RE2JS, a port of RE2: matching takes time linear in the input, whatever the pattern, so a
 * rule cannot stall the Worker with catastrophic backtracking (`(a+)+$`). RE2 syntax: no backreferences or
 * lookarounds; `(?i)` for case-insensitive. Throws on a pattern RE2 refuses.
 */
export function compilePattern(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new Error(`A pattern has at most ${MAX_PATTERN_LENGTH} characters`);
    re = RE2JS.compile(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

/** Why a pattern cannot be used, or null when it can. */
export function patternProblem(pattern: string): string | null {
  try {
    compilePattern(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

type Evaluator = (fact: unknown, value: unknown) => boolean;

export const operators: Record<RuleOperator, Evaluator> = {
  eq: (a, b) => present(a) && isScalar(a) && a === b,
  ne: (a, b) => present(a) && isScalar(a) && a !== b,
  gt: (a, b) => compare(a, b, (o) => o > 0),
  gte: (a, b) => compare(a, b, (o) => o >= 0),
  lt: (a, b) => compare(a, b, (o) => o < 0),
  lte: (a, b) => compare(a, b, (o) => o <= 0),
  in: (a, b) => present(a) && isScalar(a) && Array.isArray(b) && b.includes(a),
  notIn: (a, b) => present(a) && isScalar(a) && Array.isArray(b) && !b.includes(a),
  contains: (a, b) => {
    if (Array.isArray(a)) return a.some((item) => item === b);
    return typeof a === "string" && typeof b === "string" && a.includes(b);
  },
  exists: (a, b) => present(a) === (b !== false),
  matches: (a, b) => typeof a === "string" && typeof b === "string" && a.length <= MAX_MATCHED_LENGTH && compilePattern(b).test(a),
};

/** The value each operator compares with: what a rule's `value` must be for it. */
export function valueProblem(operator: RuleOperator, value: Scalar | Scalar[] | undefined): string | null {
  const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  switch (operator) {
    case "eq":
    case "ne":
      return scalar ? null : `'${operator}' compares with a string, number or boolean`;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return typeof value === "number" || typeof value === "string" ? null : `'${operator}' compares with a number (or a string, e.g. a date)`;
    case "in":
    case "notIn":
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
        ? null
        : `'${operator}' compares with a non-empty list of strings, numbers or booleans`;
    case "contains":
      return scalar ? null : "'contains' looks for a string, number or boolean";
    case "exists":
      return value === undefined || typeof value === "boolean" ? null : "'exists' takes true (the default) or false";
    case "matches":
      if (typeof value !== "string" || value.length === 0) return "'matches' takes a pattern (RE2 syntax)";
      return patternProblem(value);
  }
}
