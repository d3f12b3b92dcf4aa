// Bytes → text: UTF-8 (BOM stripped), UTF-16 by BOM, other encodings detected with chardet; binary refused.
import chardet from 'chardet';

export type Decoded = { text: string; encoding: string } | { skipped: string };

/** Bytes looked at for NUL bytes and for encoding detection. */
const SNIFF_BYTES = 8192;

/**
 * A NUL byte in the first 8 KiB marks a binary file (the heuristic git and grep use). Text that is not valid
 * UTF-8 is converted from the encoding chardet reports when Node can decode it (windows-1252, ISO-8859-x,
 * Shift_JIS…), else skipped with the reason.
 */
export function decodeText(bytes: Buffer): Decoded {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return { text: new TextDecoder(encoding).decode(bytes.subarray(2)), encoding };
  }
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { skipped: 'binary file (contains NUL bytes)' };
  try {
    // fatal: invalid UTF-8 throws instead of turning into U+FFFD; ignoreBOM false strips a UTF-8 BOM.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: detect below
  }
  const detected = likelyEncoding(bytes.subarray(0, 65_536));
  if (detected) {
    try {
      return {
        text: new TextDecoder(detected.toLowerCase(), { fatal: true }).decode(bytes),
        encoding: detected.toLowerCase(),
      };
    } catch {
      // unknown to Node, or not really that encoding
    }
  }
  return {
    skipped: `not valid UTF-8 and the encoding could not be determined${detected ? ` (looks like ${detected})` : ''}; convert it to UTF-8`,
  };
}

/**
 * chardet's best guess, except between single-byte Latin code pages, which short texts cannot tell apart
 * (French text scored as Romanian ISO-8859-2): there windows-1252, by far the most common legacy encoding
 * and a superset of ISO-8859-1, wins unless it scores much lower than the top guess.
 */
function likelyEncoding(sample: Buffer): string | undefined {
  const candidates = chardet.analyse(sample);
  const top = candidates[0];
  if (!top) return undefined;
  const singleByteLatin = /^(ISO-8859-\d+|windows-125\d)$/i;
  const western = candidates.find((c) => /^(ISO-8859-1|windows-1252)$/i.test(c.name));
  if (singleByteLatin.test(top.name) && western && western.confidence >= top.confidence * 0.6)
    return 'windows-1252';
  return top.name;
}
