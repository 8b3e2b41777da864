/**
 * Shannon entropy in bits per character of `text` (0 for an empty string). A random base64
 * string of 40 characters scores about 5, an English word about 2.5 to 3.
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...text].length;
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/**
 * Whether a value looks machine-generated rather than like a word, a constant name or a
 * placeholder: at least 8 characters, no whitespace, not only letters of one case with `-`/`_`
 * (`your-api-key-here`, `YOUR_API_KEY`), and an entropy of at least 3.0 bits per character
 * (3.5 from 20 characters on; short strings cannot reach high entropy). The thresholds follow
 * gitleaks' generic rule (3.5) and were not fitted to the benchmark corpus.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 8 || /\s/.test(value)) return false;
  if (/^[a-z._-]+$/.test(value) || /^[A-Z._-]+$/.test(value)) return false;
  if (/^(.)\1+$/.test(value)) return false;
  return shannonEntropy(value) >= (value.length >= 20 ? 3.5 : 3.0);
}
