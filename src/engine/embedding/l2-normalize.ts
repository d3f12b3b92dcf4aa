// L2 normalisation of embedding rows, shared by the hash embedder and the inference worker.

/**
 * Scales `vector[offset .. offset+length)` to unit length in place. A zero row stays zero: there is
 * no direction to keep, and dividing would turn it into NaN that poisons every distance.
 * @returns the norm before scaling.
 */
export function normalizeL2InPlace(
  vector: Float32Array,
  offset = 0,
  length = vector.length - offset,
): number {
  let sum = 0;
  for (let i = offset; i < offset + length; i++) {
    const value = vector[i] as number;
    sum += value * value;
  }
  const norm = Math.sqrt(sum);
  if (norm === 0 || !Number.isFinite(norm)) return norm;
  const scale = 1 / norm;
  for (let i = offset; i < offset + length; i++) vector[i] = (vector[i] as number) * scale;
  return norm;
}
