/**
 * The phi accrual failure detector: Hayashibara, Défago, Yared and Katayama, "The φ Accrual
 * Failure Detector" (SRDS 2004), as Cassandra and Akka implement it, as pure code.
 *
 * Instead of a boolean "suspected", the detector outputs a suspicion level
 *
 *     φ(t) = −log10(P_later(t − t_last))
 *
 * where t_last is the arrival time of the last heartbeat and P_later(Δ) is the probability,
 * under a normal distribution fitted to the recent inter-arrival times (a sliding window), that
 * the next heartbeat arrives more than Δ after the last one. An application suspects the peer
 * when φ ≥ Φ, its threshold. With Φ = 1 it is wrong (the heartbeat was merely late) about 10% of
 * the time, with Φ = 2 about 1%, with Φ = 3 about 0.1%: the threshold trades detection time for
 * accuracy, and that is all it does — no threshold makes the detector accurate in an
 * asynchronous system, which is why the designs in this folder that must stay safe do not
 * depend on it.
 *
 * The normal CDF uses the logistic approximation Akka uses (F(y) ≈ 1 / (1 + e^(−y(1.5976 +
 * 0.070566 y²))), error below 1.5·10⁻⁴), computed so that φ stays finite and monotone far in the
 * tail: φ = softplus(z) / ln 10 with z = y(1.5976 + 0.070566 y²).
 *
 * Everything here is a pure function of its arguments: times are numbers the caller supplies
 * (milliseconds, ticks), never `Date.now()`.
 */

/** The detector's parameters. */
export interface PhiConfig {
  /** How many inter-arrival times the window keeps (≥ 1). */
  readonly windowSize: number;
  /** The smallest standard deviation used (guards a perfectly regular history), > 0. */
  readonly minStdDev: number;
  /** Extra time added to the mean: a pause the application accepts without suspicion (≥ 0). */
  readonly acceptablePause: number;
  /** The interval assumed before the second heartbeat arrives (> 0). */
  readonly firstInterval: number;
}

/** Cassandra-like defaults, in milliseconds. */
export const PHI_DEFAULTS: PhiConfig = { windowSize: 1000, minStdDev: 100, acceptablePause: 0, firstInterval: 1000 };

/** The detector's state: when the last heartbeat arrived, and the recent inter-arrival times. */
export interface PhiState {
  readonly config: PhiConfig;
  /** Arrival time of the last heartbeat; null before the first. */
  readonly last: number | null;
  /** The window of inter-arrival times, oldest first (at most `windowSize`). */
  readonly intervals: readonly number[];
}

/** A detector that has heard nothing yet. Throws a RangeError on a bad configuration. */
export function phiDetector(config: Partial<PhiConfig> = {}): PhiState {
  const c: PhiConfig = { ...PHI_DEFAULTS, ...config };
  if (!Number.isInteger(c.windowSize) || c.windowSize < 1) throw new RangeError(`phi: windowSize must be an integer ≥ 1, got ${c.windowSize}`);
  if (!(c.minStdDev > 0)) throw new RangeError(`phi: minStdDev must be > 0, got ${c.minStdDev}`);
  if (!(c.acceptablePause >= 0)) throw new RangeError(`phi: acceptablePause must be ≥ 0, got ${c.acceptablePause}`);
  if (!(c.firstInterval > 0)) throw new RangeError(`phi: firstInterval must be > 0, got ${c.firstInterval}`);
  return { config: c, last: null, intervals: [] };
}

/**
 * A heartbeat arrived at `now`. The first one only starts the clock (the window is seeded with
 * `firstInterval`, as Akka does); each later one adds its inter-arrival time to the window.
 * A heartbeat that arrives before the last one (a clock going backwards) is ignored.
 */
export function heartbeat(s: PhiState, now: number): PhiState {
  if (s.last === null) return { ...s, last: now, intervals: [s.config.firstInterval] };
  if (now < s.last) return s;
  const intervals = [...s.intervals, now - s.last];
  return { ...s, last: now, intervals: intervals.length > s.config.windowSize ? intervals.slice(intervals.length - s.config.windowSize) : intervals };
}

/** The mean and standard deviation the detector uses (the deviation floored at `minStdDev`). */
export function phiStats(s: PhiState): { readonly mean: number; readonly stdDev: number } {
  const xs = s.intervals.length > 0 ? s.intervals : [s.config.firstInterval];
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / xs.length;
  return { mean: mean + s.config.acceptablePause, stdDev: Math.max(Math.sqrt(variance), s.config.minStdDev) };
}

/** φ for a time `elapsed` since the last heartbeat, with inter-arrival `mean` and `stdDev`. */
export function phiOf(elapsed: number, mean: number, stdDev: number): number {
  const y = (elapsed - mean) / stdDev;
  const z = y * (1.5976 + 0.070566 * y * y);
  // −log10(1 − F(y)) with F(y) = 1/(1 + e^−z) is log10(1 + e^z) = softplus(z) / ln 10.
  const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  return softplus / Math.LN10;
}

/** The suspicion level at `now`: 0 before the first heartbeat (nothing to suspect yet). */
export function phi(s: PhiState, now: number): number {
  if (s.last === null) return 0;
  const { mean, stdDev } = phiStats(s);
  return phiOf(Math.max(0, now - s.last), mean, stdDev);
}

/** Does the detector suspect the peer at `now`, with threshold `threshold` (φ ≥ Φ)? */
export function suspects(s: PhiState, now: number, threshold: number): boolean {
  return phi(s, now) >= threshold;
}

/**
 * The probability, under the detector's own model, that a peer suspected at `now` with this φ
 * was merely late: 10^−φ (so a threshold Φ means "wrong at most 10^−Φ of the time").
 */
export function falseSuspicionProbability(level: number): number {
  return Math.pow(10, -level);
}
