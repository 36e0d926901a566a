/** A deterministic 60 MB "model" (above the 50 MB consent threshold) for the download e2e tests;
 * the fixture page pins its SHA-256 at build, the test serves the same bytes. */
export const LARGE_FIXTURE_BYTES = 60_000_000;

export function largeFixtureBytes(): Uint8Array {
  const bytes = new Uint8Array(LARGE_FIXTURE_BYTES);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + (i >>> 13)) & 0xff;
  bytes[0] = 0x08; // never looks like HTML
  return bytes;
}
