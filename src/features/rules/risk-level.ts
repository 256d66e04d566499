/** An organization's thresholds: a score at or above one is at least that level. */
export interface RiskThresholds {
  medium: number;
  high: number;
  critical: number;
}

export const DEFAULT_THRESHOLDS: RiskThresholds = { medium: 30, high: 60, critical: 85 };

export type RiskLevel = "low" | "medium" | "high" | "critical";

export interface Risk {
  score: number;
  level: RiskLevel;
}

/** The highest score an entity can have, whatever its rules add up to. */
export const MAX_RISK = 100;

export function levelOf(score: number, t: RiskThresholds): RiskLevel {
  if (score >= t.critical) return "critical";
  if (score >= t.high) return "high";
  if (score >= t.medium) return "medium";
  return "low";
}

/** The entity's risk: the sum of its rules' contributions (one per rule), at most MAX_RISK, and its level. */
export function riskOf(scores: number[], t: RiskThresholds): Risk {
  const score = Math.min(MAX_RISK, scores.reduce((sum, s) => sum + s, 0));
  return { score, level: levelOf(score, t) };
}
