/**
 * Arithmetic in GF(2^8), the field of Reed-Solomon codes over bytes: elements are bytes,
 * addition is XOR, multiplication is polynomial multiplication modulo the primitive polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11d, as in most storage codes), computed with log/exp tables of
 * the generator 2.
 */

/** The primitive polynomial. */
export const GF_POLY = 0x11d;

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= GF_POLY;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

/** a + b (and a − b): XOR. */
export function gfAdd(a: number, b: number): number {
  return a ^ b;
}

/** a · b. */
export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** a⁻¹; throws for 0. */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('GF(2^8): 0 has no inverse');
  return EXP[255 - LOG[a]!]!;
}

/** a / b; throws for b = 0. */
export function gfDiv(a: number, b: number): number {
  return gfMul(a, gfInv(b));
}

/** a^e for e ≥ 0 (0^0 = 1). */
export function gfPow(a: number, e: number): number {
  if (e === 0) return 1;
  if (a === 0) return 0;
  return EXP[(LOG[a]! * e) % 255]!;
}

/** The multiplication table row of `c` (c · x for every byte x), for fast row operations. */
export function gfMulTable(c: number): Uint8Array {
  const t = new Uint8Array(256);
  if (c !== 0) for (let x = 1; x < 256; x++) t[x] = EXP[LOG[c]! + LOG[x]!]!;
  return t;
}

/** A matrix over GF(2^8): rows of bytes. */
export type GfMatrix = readonly Uint8Array[];

/** a × b. */
export function gfMatMul(a: GfMatrix, b: GfMatrix): Uint8Array[] {
  const cols = b[0]!.length;
  return a.map((row) => {
    const out = new Uint8Array(cols);
    for (let k = 0; k < row.length; k++) {
      const c = row[k]!;
      if (c === 0) continue;
      const bk = b[k]!;
      for (let j = 0; j < cols; j++) out[j]! ^= gfMul(c, bk[j]!);
    }
    return out;
  });
}

/** The inverse of a square matrix (Gauss-Jordan); null when it is singular. */
export function gfInvert(m: GfMatrix): Uint8Array[] | null {
  const n = m.length;
  const a = m.map((r, i) => {
    const row = new Uint8Array(2 * n);
    row.set(r);
    row[n + i] = 1;
    return row;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && a[pivot]![col] === 0) pivot++;
    if (pivot === n) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const row = a[col]!;
    const inv = gfInv(row[col]!);
    for (let j = 0; j < 2 * n; j++) row[j] = gfMul(row[j]!, inv);
    for (let r = 0; r < n; r++) {
      if (r === col || a[r]![col] === 0) continue;
      const f = a[r]![col]!;
      const target = a[r]!;
      for (let j = 0; j < 2 * n; j++) target[j]! ^= gfMul(f, row[j]!);
    }
  }
  return a.map((r) => r.slice(n));
}
